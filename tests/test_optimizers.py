"""Optimizer update rules against hand-derived steps, convergence, batching, bad input, divergence."""

import math

import numpy as np
import pytest

import landscapes
import optimizers

BOWL = landscapes.get("bowl")  # f = ½(x² + 4y²), ∇f = (x, 4y)
EPS = 1e-8


def path(name, steps=2, start=(1.0, 1.0), **hp):
    return optimizers.trajectory(name, BOWL, start, steps, **hp)


# ---------------------------------------------------------------- first steps, derived by hand
# From θ₀ = (1, 1) on the bowl, g₀ = (1, 4).

def test_sgd_first_steps():
    # θ₁ = θ₀ − 0.1·(1, 4);  g₁ = (0.9, 2.4);  θ₂ = θ₁ − 0.1·g₁
    np.testing.assert_allclose(path("sgd", lr=0.1), [[1, 1], [0.9, 0.6], [0.81, 0.36]], rtol=1e-14)


def test_sgd_weight_decay_adds_l2_gradient():
    # g₀ + λθ₀ = (1.5, 4.5) with λ = 0.5
    np.testing.assert_allclose(path("sgd", steps=1, lr=0.1, weight_decay=0.5)[1], [0.85, 0.55], rtol=1e-14)


def test_momentum_first_steps():
    # b₁ = g₀ = (1, 4), θ₁ = (0.9, 0.6); g₁ = (0.9, 2.4), b₂ = 0.9·b₁ + g₁ = (1.8, 6.0), θ₂ = θ₁ − 0.1·b₂
    np.testing.assert_allclose(path("momentum", lr=0.1, momentum=0.9), [[1, 1], [0.9, 0.6], [0.72, 0.0]],
                               rtol=1e-14, atol=1e-15)


def test_momentum_dampening_scales_new_gradients_after_the_first_step():
    # b₁ = g₀ (no dampening on the first step); b₂ = 0.9·b₁ + 0.5·g₁ = (1.35, 4.8)
    np.testing.assert_allclose(path("momentum", lr=0.1, momentum=0.9, dampening=0.5)[2],
                               [0.9 - 0.135, 0.6 - 0.48], rtol=1e-14)


def test_momentum_zero_is_sgd():
    np.testing.assert_array_equal(path("momentum", steps=20, lr=0.1, momentum=0.0), path("sgd", steps=20, lr=0.1))


def test_nesterov_first_steps():
    # b₁ = (1, 4), d₁ = g₀ + 0.9·b₁ = (1.9, 7.6), θ₁ = (0.81, 0.24)
    # g₁ = (0.81, 0.96), b₂ = 0.9·b₁ + g₁ = (1.71, 4.56), d₂ = g₁ + 0.9·b₂ = (2.349, 5.064)
    np.testing.assert_allclose(path("nesterov", lr=0.1, momentum=0.9),
                               [[1, 1], [0.81, 0.24], [0.81 - 0.2349, 0.24 - 0.5064]], rtol=1e-13)


def test_rmsprop_first_steps():
    # v₁ = 0.01·g₀² = (0.01, 0.16), θ₁ = θ₀ − 0.01·g₀/(√v₁ + ε)
    t1 = (1 - 0.01 * 1 / (0.1 + EPS), 1 - 0.01 * 4 / (0.4 + EPS))
    g1 = (t1[0], 4 * t1[1])
    v2 = (0.99 * 0.01 + 0.01 * g1[0] ** 2, 0.99 * 0.16 + 0.01 * g1[1] ** 2)
    t2 = (t1[0] - 0.01 * g1[0] / (math.sqrt(v2[0]) + EPS), t1[1] - 0.01 * g1[1] / (math.sqrt(v2[1]) + EPS))
    np.testing.assert_allclose(path("rmsprop", lr=0.01), [[1, 1], t1, t2], rtol=1e-13)


def test_rmsprop_centered_with_momentum_first_step():
    # v₁ = 0.1·g₀², ḡ₁ = 0.1·g₀, s = √(v₁ − ḡ₁²) = √0.09·|g₀|, b₁ = g₀/(s + ε), θ₁ = θ₀ − 0.01·b₁
    s = (math.sqrt(0.1 - 0.01) * 1, math.sqrt(0.1 * 16 - 0.01 * 16))
    t1 = (1 - 0.01 * 1 / (s[0] + EPS), 1 - 0.01 * 4 / (s[1] + EPS))
    np.testing.assert_allclose(path("rmsprop", steps=1, lr=0.01, alpha=0.9, centered=True, momentum=0.5)[1],
                               t1, rtol=1e-12)


def adam_by_hand(lr, b1, b2, steps, weight_decay=0.0, decoupled=False, amsgrad=False):
    theta = [1.0, 1.0]
    m, v, vmax = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    out = [tuple(theta)]
    for t in range(1, steps + 1):
        g = [theta[0], 4 * theta[1]]
        for i in range(2):
            if decoupled:
                theta[i] *= 1 - lr * weight_decay
            else:
                g[i] += weight_decay * theta[i]
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            vmax[i] = max(vmax[i], v[i])
            m_hat = m[i] / (1 - b1**t)
            v_hat = (vmax[i] if amsgrad else v[i]) / (1 - b2**t)
            theta[i] -= lr * m_hat / (math.sqrt(v_hat) + EPS)
        out.append(tuple(theta))
    return out


def test_adam_first_step_is_lr_times_the_gradient_sign():
    # m̂₁ = g₀ and v̂₁ = g₀², so θ₁ = θ₀ − lr·g₀/(|g₀| + ε)
    np.testing.assert_allclose(path("adam", steps=1, lr=0.1)[1], [1 - 0.1 / (1 + EPS), 1 - 0.1 * 4 / (4 + EPS)],
                               rtol=1e-14)


@pytest.mark.parametrize("hp, by_hand", [
    (dict(lr=0.1), dict()),
    (dict(lr=0.05, betas=(0.5, 0.9), weight_decay=0.3), dict(weight_decay=0.3)),
    (dict(lr=0.05, amsgrad=True), dict(amsgrad=True)),
])
def test_adam_steps(hp, by_hand):
    b1, b2 = hp.get("betas", (0.9, 0.999))
    np.testing.assert_allclose(path("adam", steps=6, **hp), adam_by_hand(hp["lr"], b1, b2, 6, **by_hand), rtol=1e-12)


def test_adamw_decays_the_parameters_not_the_gradient():
    expected = adam_by_hand(0.1, 0.9, 0.999, 6, weight_decay=0.2, decoupled=True)
    np.testing.assert_allclose(path("adamw", steps=6, lr=0.1, weight_decay=0.2), expected, rtol=1e-12)
    # First step: θ₁ = θ₀·(1 − lr·λ) − lr·g₀/(|g₀| + ε)
    np.testing.assert_allclose(expected[1], [0.98 - 0.1 / (1 + EPS), 0.98 - 0.4 / (4 + EPS)], rtol=1e-14)


def test_defaults_are_torchs():
    assert optimizers.defaults("sgd") == dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)
    assert optimizers.defaults("rmsprop") == dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                                                  centered=False)
    assert optimizers.defaults("adam") == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False)
    assert optimizers.defaults("adamw")["weight_decay"] == 1e-2
    assert optimizers.defaults("momentum")["momentum"] == 0.9 == optimizers.defaults("nesterov")["momentum"]


def test_registry_lists_the_six_required_optimizers_then_the_escape_methods_then_more():
    assert optimizers.names() == ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw",
                                  "annealing", "restarts", "adagrad", "adadelta", "adamax", "nadam",
                                  "radam", "rprop", "newton", "lion"]
    for name in optimizers.names():
        assert optimizers.get(name).__doc__ and "θ" in optimizers.get(name).__doc__


# ---------------------------------------------------------------- behaviour

# RMSProp without momentum ends in a limit cycle of amplitude ≈ lr/2 around the minimum,
# so it gets a small lr here.
BOWL_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.001, "adam": 0.05, "adamw": 0.05}


@pytest.mark.parametrize("name", optimizers.GRADIENT_METHODS)
def test_every_optimizer_converges_on_the_bowl(name):
    sim = optimizers.simulate(name, "bowl", [(-2.5, 2.0), (2.0, 1.0), (0.5, -2.5)], 5000, lr=BOWL_LR[name])
    assert np.abs(sim.path[-1]).max() < 1e-3, f"{name} ended at {sim.path[-1].tolist()}"
    assert (sim.loss[-1] < 1e-5 * sim.loss[0]).all()
    assert (sim.final.status != optimizers.DIVERGED).all()


@pytest.mark.parametrize("name", optimizers.GRADIENT_METHODS)
def test_trajectories_equal_trajectory_per_start(name):
    rng = np.random.default_rng(1)
    starts = rng.uniform(-2, 2, size=(7, 2))
    batch = optimizers.trajectories(name, "ravine", starts, 60, lr=0.003)
    assert batch.shape == (61, 7, 2)
    for i, s in enumerate(starts):
        np.testing.assert_array_equal(batch[:, i, :], optimizers.trajectory(name, "ravine", s, 60, lr=0.003))


def test_zero_steps_returns_the_start():
    np.testing.assert_array_equal(optimizers.trajectory("adam", "bowl", (1.5, -0.5), 0), [[1.5, -0.5]])


def test_landscape_may_be_given_by_key_or_object():
    np.testing.assert_array_equal(optimizers.trajectory("sgd", "bowl", (1, 1), 5, lr=0.1),
                                  optimizers.trajectory("sgd", BOWL, (1, 1), 5, lr=0.1))


# ---------------------------------------------------------------- bad input

BAD = [
    ("sgd", dict(lr=0), ValueError, "Invalid learning rate lr=0: must be a finite number > 0"),
    ("sgd", dict(lr=-1.0), ValueError, "Invalid learning rate lr=-1.0"),
    ("adam", dict(lr=float("nan")), ValueError, "Invalid learning rate lr=nan"),
    ("adam", dict(lr="fast"), ValueError, "Invalid learning rate lr='fast'"),
    ("momentum", dict(momentum=1.0), ValueError, "Invalid momentum=1.0: must be in [0, 1)"),
    ("momentum", dict(momentum=-0.1), ValueError, "Invalid momentum=-0.1: must be in [0, 1)"),
    ("nesterov", dict(momentum=0.0), ValueError, "Nesterov momentum requires a momentum > 0 and zero dampening"),
    ("sgd", dict(momentum=0.9, dampening=0.1, nesterov=True), ValueError, "zero dampening"),
    ("rmsprop", dict(alpha=1.5), ValueError, "Invalid alpha=1.5: must be in [0, 1)"),
    ("rmsprop", dict(eps=0.0), ValueError, "Invalid eps=0.0: must be a finite number > 0"),
    ("adam", dict(betas=(1.0, 0.999)), ValueError, "Invalid betas[0]=1.0: must be in [0, 1)"),
    ("adam", dict(betas=(0.9, -0.1)), ValueError, "Invalid betas[1]=-0.1: must be in [0, 1)"),
    ("adam", dict(betas=0.9), ValueError, "Invalid betas=0.9: must be a pair"),
    ("adam", dict(eps=-1e-8), ValueError, "Invalid eps=-1e-08"),
    ("adamw", dict(weight_decay=-0.01), ValueError, "Invalid weight_decay=-0.01: must be a finite number >= 0"),
    ("adam", dict(amsgrad="yes"), ValueError, "Invalid amsgrad='yes': must be True or False"),
    ("adam", dict(beta1=0.9), ValueError,
     "Unknown hyperparameter 'beta1' for optimizer 'adam'; valid ones are: lr, betas"),
]


@pytest.mark.parametrize("name, hp, error, message", BAD, ids=[f"{b[0]}-{next(iter(b[1]))}" for b in BAD])
def test_bad_hyperparameters_are_rejected_with_a_message_naming_them(name, hp, error, message):
    with pytest.raises(error) as err:
        optimizers.trajectory(name, "bowl", (1, 1), 3, **hp)
    assert message in str(err.value)


@pytest.mark.parametrize("start, message", [
    ((float("nan"), 0.0), "Invalid start=(nan, 0.0): coordinates must be finite"),
    ((0.0, float("inf")), "Invalid start=(0.0, inf)"),
    ((1.0, 2.0, 3.0), "Invalid start of shape (3,)"),
    ("here", "Invalid start='here'"),
])
def test_bad_starts_are_rejected(start, message):
    with pytest.raises(ValueError) as err:
        optimizers.trajectory("sgd", "bowl", start, 3)
    assert message in str(err.value)


@pytest.mark.parametrize("steps", [-1, 2.5, "10", None, True])
def test_bad_step_counts_are_rejected(steps):
    with pytest.raises(ValueError, match=r"Invalid steps=.*: must be an integer >= 0"):
        optimizers.trajectory("sgd", "bowl", (1, 1), steps)


def test_unknown_optimizer_lists_the_valid_ones():
    with pytest.raises(KeyError) as err:
        optimizers.trajectory("lbfgs", "bowl", (1, 1), 3)
    assert str(err.value) == ("Unknown optimizer 'lbfgs'; valid optimizers are: "
                              "sgd, momentum, nesterov, rmsprop, adam, adamw, annealing, restarts, "
                              "adagrad, adadelta, adamax, nadam, radam, rprop, newton, lion")


def test_unknown_landscape_by_key_lists_the_valid_ones():
    with pytest.raises(KeyError, match="Unknown landscape 'moon'; valid landscapes are: ravine, saddle"):
        optimizers.trajectory("sgd", "moon", (1, 1), 3)


# ---------------------------------------------------------------- divergence

@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
def test_divergence_freezes_the_particle_at_its_last_finite_position(name):
    # lr·4 = 4.8 across the bowl: above SGD's limit 2, Momentum's 3.8 and Nesterov's 1.36
    # (the ravine's V-shaped walls throw nothing out, so it cannot show this)
    sim = optimizers.simulate(name, "bowl", [(-2.5, 2.0), (0.0, 0.0)], 300, lr=1.2)
    assert np.isfinite(sim.path).all() and np.isfinite(sim.loss).all()
    assert sim.final.status[0] == optimizers.DIVERGED
    frozen_from = int(np.argmax((np.diff(sim.path[:, 0], axis=0) == 0).all(axis=1)))
    assert (sim.path[frozen_from:, 0] == sim.path[-1, 0]).all(), "a diverged particle must stay put"
    assert sim.final.status[1] == optimizers.CONVERGED  # the one already at the minimum stays fine


def test_huge_learning_rate_never_raises_or_yields_non_finite_values():
    for name in optimizers.names():
        hp = {"step_size": 1e6} if name == "annealing" else {"lr": 1e6}
        for key in landscapes.names():
            sim = optimizers.simulate(name, key, [landscapes.get(key).start], 50, **hp)
            assert np.isfinite(sim.path).all() and np.isfinite(sim.loss).all(), (name, key)
            assert np.isfinite(sim.final.best_loss).all()


def test_best_loss_is_the_running_minimum():
    sim = optimizers.simulate("momentum", "bumpy", [(-2.7, 2.7)], 200, lr=0.05)
    np.testing.assert_array_equal(sim.final.best_loss, sim.loss.min(axis=0))


# ---------------------------------------------------------------- gradient flow

def test_gradient_flow_matches_the_exact_solution_on_the_bowl():
    # dx/dt = −x, dy/dt = −4y  ⇒  x(t) = x₀e^{−t}, y(t) = y₀e^{−4t}
    starts = np.array([[1.0, 1.0], [-2.0, 0.5], [0.3, -2.0]])
    state = optimizers.flow.advance(BOWL, optimizers.flow.init(BOWL, starts), 0.75, rtol=1e-9, atol=1e-12)
    exact = starts * np.exp([-0.75, -3.0])
    np.testing.assert_allclose(state.positions, exact, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(state.t, 0.75)


@pytest.mark.parametrize("start", [(-2.5, 2.0), (2.9, 2.9), (0.1, -1.0), (-3.0, -0.01)])
def test_gradient_flow_comes_to_rest_at_the_bowl_minimum(start):
    result = optimizers.gradient_flow(BOWL, [start], t_max=100.0, gtol=1e-9, xtol=1e-10)
    assert result.at_rest[0] and not result.diverged[0]
    assert np.abs(result.positions[0]).max() < 1e-8


def test_gradient_flow_ends_at_a_himmelblau_minimum_from_every_start():
    land = landscapes.get("himmelblau")
    rng = np.random.default_rng(3)
    starts = rng.uniform(-4.5, 4.5, size=(40, 2))
    result = optimizers.gradient_flow(land, starts, t_max=100.0)
    minima = np.array([(m.x, m.y) for m in land.minima])
    dist = np.linalg.norm(result.positions[:, None, :] - minima[None, :, :], axis=2).min(axis=1)
    assert result.at_rest.all()
    assert (dist < 1e-5).all(), dist.max()
    assert len(set(np.argmin(np.linalg.norm(result.positions[:, None] - minima[None], axis=2), axis=1))) == 4


def test_gradient_flow_never_increases_the_loss():
    land = landscapes.get("bumpy")
    state = optimizers.flow.init(land, np.random.default_rng(4).uniform(-3, 3, size=(50, 2)))
    loss = land.f(state.positions[:, 0], state.positions[:, 1])
    for _ in range(20):
        state = optimizers.flow.advance(land, state, 0.2)
        new_loss = land.f(state.positions[:, 0], state.positions[:, 1])
        assert (new_loss <= loss + 1e-12).all()
        loss = new_loss


def test_gradient_flow_is_vectorised_per_particle():
    land = landscapes.get("quartic")
    starts = np.array([[-2.0, 2.0], [2.0, -2.0], [0.5, 0.0]])
    together = optimizers.gradient_flow(land, starts, t_max=5.0)
    for i, s in enumerate(starts):
        alone = optimizers.gradient_flow(land, [s], t_max=5.0)
        np.testing.assert_allclose(together.positions[i], alone.positions[0], rtol=0, atol=0)
