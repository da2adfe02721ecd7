"""The optimizers of issue 10 (Adagrad, Adadelta, Adamax, NAdam, RAdam, Rprop, Newton, Lion)
against hand-derived steps and properties, per-particle learning rates, hyperparameter
specs, velocity, rule texts and bad input. numpy and pytest only, so this also runs inside
Pyodide; tests/test_torch_parity.py checks the torch-named ones against torch itself."""

import math

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers.newton import newton_direction

BOWL = landscapes.get("bowl")  # f = ½(x² + 4y²), ∇f = (x, 4y), H = diag(1, 4)
G0 = np.array([1.0, 4.0])  # ∇f at the start (1, 1)
LR_METHODS = [k for k in optimizers.names() if "lr" in optimizers.defaults(k)]


def path(name, steps=1, start=(1.0, 1.0), **hp):
    return optimizers.trajectory(name, BOWL, start, steps, **hp)


# ---------------------------------------------------------------- registry

def test_groups_partition_the_registry_in_display_order():
    assert optimizers.MORE_METHODS == ("adagrad", "adadelta", "adamax", "nadam", "radam", "rprop", "newton", "lion")
    assert list(optimizers.GRADIENT_METHODS + optimizers.ESCAPE_METHODS + optimizers.MORE_METHODS) == \
        optimizers.names()
    assert [optimizers.label(k) for k in optimizers.MORE_METHODS] == \
        ["Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "Newton", "Lion"]
    for key in optimizers.MORE_METHODS:
        assert "θ" in optimizers.get(key).__doc__


def test_torch_defaults_of_the_new_methods():
    assert optimizers.defaults("adagrad") == dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                                                  initial_accumulator_value=0.0, eps=1e-10)
    assert optimizers.defaults("adadelta") == dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0)
    assert optimizers.defaults("adamax") == dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    assert optimizers.defaults("nadam") == dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                                                momentum_decay=4e-3, decoupled_weight_decay=False)
    assert optimizers.defaults("radam") == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                                                decoupled_weight_decay=False)
    assert optimizers.defaults("rprop") == dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0))
    assert optimizers.defaults("lion") == dict(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0)
    assert optimizers.defaults("newton") == dict(lr=1.0, damping=1e-3)


def test_hyperparameter_specs_name_kind_and_default():
    assert optimizers.hyperparameter_specs("adam") == [
        {"name": "lr", "kind": "number", "default": 1e-3},
        {"name": "betas", "kind": "pair", "default": (0.9, 0.999)},
        {"name": "eps", "kind": "number", "default": 1e-8},
        {"name": "weight_decay", "kind": "number", "default": 0.0},
        {"name": "amsgrad", "kind": "flag", "default": False},
    ]
    kinds = {s["name"]: s["kind"] for s in optimizers.hyperparameter_specs("rprop")}
    assert kinds == {"lr": "number", "etas": "pair", "step_sizes": "pair"}
    kinds = {s["name"]: s["kind"] for s in optimizers.hyperparameter_specs("restarts")}
    assert kinds == {"lr": "number", "n_restarts": "integer", "steps_per": "integer", "seed": "integer"}
    for key in optimizers.names():
        specs = optimizers.hyperparameter_specs(key)
        assert {s["name"]: s["default"] for s in specs} == optimizers.defaults(key)
    with pytest.raises(KeyError, match="Unknown optimizer 'lbfgs'"):
        optimizers.hyperparameter_specs("lbfgs")


@pytest.mark.parametrize("key", optimizers.MORE_METHODS)
def test_the_page_runs_the_new_methods_with_the_shared_lr_only(key):
    own_lr = key in ("newton", "adadelta")  # their lr scales a step in θ's units: 1.0 by default
    assert optimizers.page_hyperparameters(key, 0.02, 0.7) == (key, {} if own_lr else {"lr": 0.02})
    assert optimizers.create(key, **optimizers.page_hyperparameters(key, 0.02, 0.7)[1]).hyperparameters["lr"] \
        == (1.0 if own_lr else 0.02)


# ---------------------------------------------------------------- first steps, by hand (from (1, 1) on the bowl)

def test_adagrad_first_steps():
    # s₁ = g₀², θ₁ = θ₀ − lr·g₀/(|g₀| + ε);  with lr_decay the second step's lr is lr/(1 + lr_decay)
    eps = 1e-10
    t1 = 1 - 0.1 * G0 / (np.abs(G0) + eps)
    np.testing.assert_allclose(path("adagrad", lr=0.1)[1], t1, rtol=1e-15)
    g1 = np.array([t1[0], 4 * t1[1]])
    s2 = G0**2 + g1**2
    t2 = t1 - 0.1 / (1 + 0.5) * g1 / (np.sqrt(s2) + eps)
    np.testing.assert_allclose(path("adagrad", steps=2, lr=0.1, lr_decay=0.5)[2], t2, rtol=1e-14)
    # initial_accumulator_value s₀ = 3:  θ₁ = θ₀ − lr·g₀/(√(3 + g₀²) + ε)
    np.testing.assert_allclose(path("adagrad", lr=0.1, initial_accumulator_value=3.0)[1],
                               1 - 0.1 * G0 / (np.sqrt(3 + G0**2) + eps), rtol=1e-15)


def test_adadelta_first_step():
    # v₁ = (1 − ρ)g₀², Δ = √ε/√(v₁ + ε)·g₀, θ₁ = θ₀ − lr·Δ
    rho, eps = 0.9, 1e-6
    delta = math.sqrt(eps) / np.sqrt((1 - rho) * G0**2 + eps) * G0
    np.testing.assert_allclose(path("adadelta")[1], 1 - delta, rtol=1e-14)


def test_adamax_first_step_is_lr_times_the_gradient_sign():
    # m₁ = (1 − β₁)g₀, u₁ = |g₀| + ε:  θ₁ = θ₀ − lr/(1 − β₁)·m₁/u₁ = θ₀ − lr·g₀/(|g₀| + ε)
    np.testing.assert_allclose(path("adamax", lr=0.1)[1], 1 - 0.1 * G0 / (np.abs(G0) + 1e-8), rtol=1e-14)


def test_nadam_first_step():
    b1, b2, psi, lr, eps = 0.9, 0.999, 4e-3, 0.1, 1e-8
    mu1 = b1 * (1 - 0.5 * 0.96 ** (1 * psi))
    mu2 = b1 * (1 - 0.5 * 0.96 ** (2 * psi))
    d = np.abs(G0) + eps  # √(v₁/(1 − β₂)) = |g₀|
    expected = 1 - lr * (1 - mu1) / (1 - mu1) * G0 / d - lr * mu2 / (1 - mu1 * mu2) * (1 - b1) * G0 / d
    np.testing.assert_allclose(path("nadam", lr=lr)[1], expected, rtol=1e-13)
    # decoupled: θ₀·(1 − lr·λ) first, the gradient is ∇f alone
    np.testing.assert_allclose(path("nadam", lr=lr, weight_decay=0.5, decoupled_weight_decay=True)[1],
                               expected - lr * 0.5, rtol=1e-13)


def test_radam_warm_up_is_sgd_with_bias_corrected_momentum():
    # ρ₁ = ρ∞ − 2β₂/(1 − β₂) = 1 ≤ 5, so θ₁ = θ₀ − lr·m₁/(1 − β₁) = θ₀ − lr·g₀
    np.testing.assert_allclose(path("radam", lr=0.01)[1], 1 - 0.01 * G0, rtol=1e-15)


def test_radam_rectifies_once_rho_exceeds_five():
    # β₂ = 0.5: ρ∞ = 3 < 5, so it never rectifies: RAdam is then SGD with m̂ for good
    b1, lr = 0.9, 0.01
    theta, m = np.array([1.0, 1.0]), np.zeros(2)
    for t in range(1, 6):
        g = np.array([theta[0], 4 * theta[1]])
        m = b1 * m + (1 - b1) * g
        theta = theta - lr * m / (1 - b1**t)
    np.testing.assert_allclose(path("radam", steps=5, lr=lr, betas=(b1, 0.5))[5], theta, rtol=1e-13)


def test_rprop_grows_shrinks_and_skips_after_a_sign_change():
    # δ₀ = 0.6: θ₁ = (0.4, 0.4);  same signs: δ = 0.72, θ₂ = (−0.32, −0.32);  the signs flip:
    # δ = 0.36 and no step, θ₃ = θ₂;  g' = 0 then, so δ stays 0.36: θ₄ = (0.04, 0.04)
    np.testing.assert_allclose(path("rprop", steps=4, lr=0.6),
                               [[1, 1], [0.4, 0.4], [-0.32, -0.32], [-0.32, -0.32], [0.04, 0.04]], rtol=1e-13)


def test_rprop_step_sizes_clip_the_step():
    np.testing.assert_allclose(path("rprop", steps=2, lr=0.1, step_sizes=(0.0, 0.11)),
                               [[1, 1], [0.9, 0.9], [0.79, 0.79]], rtol=1e-14)


# ---------------------------------------------------------------- Lion

def test_lion_first_steps_by_hand():
    # c₁ = 0.1·g₀ > 0: θ₁ = θ₀ − lr;  m₁ = 0.01·g₀;  c₂ = 0.9·m₁ + 0.1·g₁ > 0: θ₂ = θ₁ − lr
    np.testing.assert_allclose(path("lion", steps=2, lr=0.1), [[1, 1], [0.9, 0.9], [0.8, 0.8]], rtol=1e-15)
    # with decay λ = 0.5: θ₁ = θ₀ − lr·(1 + λθ₀) = 0.85
    np.testing.assert_allclose(path("lion", lr=0.1, weight_decay=0.5)[1], [0.85, 0.85], rtol=1e-15)


def test_lion_moves_exactly_lr_per_coordinate_whatever_the_gradient():
    land = landscapes.get("rastrigin")  # gradients from ~0 to ~60 across the view
    starts = np.random.default_rng(5).uniform(-4, 4, size=(20, 2))
    lr = 0.01
    sim = optimizers.simulate("lion", land, starts, 100, lr=lr)
    moves = np.abs(np.diff(sim.path, axis=0))
    np.testing.assert_allclose(moves, lr, rtol=1e-12)


def test_lion_momentum_carries_it_on_after_the_gradient_turns():
    # m is the slow average (β₂ = 0.99): after a long push to −x, one gradient pointing the other
    # way does not turn c = 0.9m + 0.1g round, so the step keeps its direction
    opt = optimizers.create("lion", lr=0.1)
    p, state = np.array([[0.0, 0.0]]), opt.init(np.zeros((1, 2)))
    for _ in range(50):
        p, state = opt.update(p, np.array([[1.0, 1.0]]), state)
    before = p.copy()
    p, state = opt.update(p, np.array([[-1.0, -1.0]]), state)
    np.testing.assert_allclose(p - before, [[-0.1, -0.1]], rtol=1e-12)


# ---------------------------------------------------------------- Newton

def test_newton_lands_on_the_bowls_minimum_in_one_step():
    np.testing.assert_array_equal(optimizers.trajectory("newton", BOWL, (-2.5, 2.0), 1, lr=1.0)[1], [0.0, 0.0])


def test_newton_on_a_general_quadratic():
    # Booth, f = (x + 2y − 7)² + (2x + y − 5)²: H = [[10, 8], [8, 10]] everywhere, minimum (1, 3)
    path_ = optimizers.trajectory("newton", "booth", (-8.0, 7.0), 2, lr=1.0)
    np.testing.assert_allclose(path_[1], [1.0, 3.0], rtol=1e-14)
    half = optimizers.trajectory("newton", "booth", (-8.0, 7.0), 1, lr=0.5)[1]
    np.testing.assert_allclose(half, [(-8 + 1) / 2, (7 + 3) / 2], rtol=1e-14)  # half way


def test_newton_at_rest_on_a_minimum_is_converged():
    sim = optimizers.simulate("newton", BOWL, [(-2.5, 2.0)], 3, lr=1.0)
    assert sim.final.status[0] == optimizers.CONVERGED


def test_newton_direction_rule_for_indefinite_and_singular_hessians():
    g = np.array([[2.0, 1.0], [2.0, 4.0], [3.0, -1.0], [0.5, 0.5]])
    fxx, fxy, fyy = np.array([2.0, 2.0, 0.0, 0.0]), np.zeros(4), np.array([0.0, -4.0, 0.0, 0.0])
    d = newton_direction(fxx, fxy, fyy, g, 1e-3)
    np.testing.assert_allclose(d, [[1.0, 1e3],  # singular: λ = 0 → δ
                                   [1.0, 1.0],  # indefinite: λ = −4 → 4, followed downhill
                                   [3e3, -1e3],  # H = 0: g/δ
                                   [500.0, 500.0]], rtol=1e-12)


def test_newton_stays_on_ackleys_cusp():
    # at Ackley's minimum the curvature is infinite (fxx = fyy = inf): H⁻¹g = 0, no step
    np.testing.assert_array_equal(newton_direction(np.inf, 0.0, np.inf, np.array([[0.0, 0.0]]), 1e-3), [[0, 0]])
    assert np.isnan(newton_direction(np.nan, 0.0, 1.0, np.array([[1.0, 0.0]]), 1e-3)).all()
    sim = optimizers.simulate("newton", "ackley", [(0.0, 0.0)], 2, lr=1.0)
    np.testing.assert_array_equal(sim.path[-1], [[0.0, 0.0]])
    assert sim.final.status[0] == optimizers.CONVERGED


def test_newton_direction_in_rotated_coordinates():
    # H = R·diag(3, −2)·Rᵀ at 30°: the modified H̃ = R·diag(3, 2)·Rᵀ, so d = H̃⁻¹g
    c, s = math.cos(math.pi / 6), math.sin(math.pi / 6)
    R = np.array([[c, -s], [s, c]])
    H = R @ np.diag([3.0, -2.0]) @ R.T
    H_mod = R @ np.diag([3.0, 2.0]) @ R.T
    g = np.array([[0.7, -1.3]])
    d = newton_direction(H[0, 0], H[0, 1], H[1, 1], g, 1e-3)
    np.testing.assert_allclose(d[0], np.linalg.solve(H_mod, g[0]), rtol=1e-12)


def test_newton_steps_are_descent_directions_everywhere():
    rng = np.random.default_rng(7)
    for key in ("saddle", "bumpy", "himmelblau", "rastrigin", "six-hump-camel"):
        land = landscapes.get(key)
        xmin, xmax, ymin, ymax = land.domain
        p = np.column_stack([rng.uniform(xmin, xmax, 400), rng.uniform(ymin, ymax, 400)])
        g = np.column_stack(land.grad_xy(p[:, 0], p[:, 1]))
        d = newton_direction(*land.hessian_xy(p[:, 0], p[:, 1]), g, 1e-3)
        assert (np.sum(g * d, axis=1) > 0).all(), key
        small = p - 1e-6 * d / np.linalg.norm(d, axis=1, keepdims=True)
        assert (land.f_xy(small[:, 0], small[:, 1]) < land.f_xy(p[:, 0], p[:, 1])).all(), key


def test_newton_leaves_the_saddle_that_the_pure_newton_step_would_jump_to():
    # From (−2.8, 0): fyy = −1 there. The pure step −H⁻¹g goes to the stationary point near
    # the origin; ours follows −y downhill (|λ| = 1) and ends in the lower valley.
    sim = optimizers.simulate("newton", "saddle", [(-2.8, 0.0)], 60, lr=1.0)
    np.testing.assert_allclose(sim.path[1, 0], [0.0, -0.002], atol=1e-15)
    np.testing.assert_allclose(sim.path[-1, 0], [0.0, -2.0009992509983623], rtol=1e-12)
    assert sim.final.status[0] == optimizers.CONVERGED


# ---------------------------------------------------------------- per-particle learning rates

@pytest.mark.parametrize("key", LR_METHODS)
def test_lr_per_particle_is_exactly_separate_runs(key):
    land = landscapes.get("bumpy")
    lrs = np.geomspace(1e-3, 0.3, 5)
    start = (-2.7, 2.7)
    together = optimizers.simulate(key, land, np.repeat([start], 5, axis=0), 60, lr=lrs)
    for i, lr in enumerate(lrs):
        alone = optimizers.simulate(key, land, [start], 60, lr=float(lr))
        np.testing.assert_array_equal(together.path[:, i], alone.path[:, 0])
        np.testing.assert_array_equal(together.final.status[i], alone.final.status[0])


@pytest.mark.parametrize("lr, message", [
    (np.array([0.1, 0.0]), "Invalid learning rate lr=array([0.1, 0. ]): must be a finite number > 0 or a 1-D"),
    (np.array([0.1, np.nan]), "Invalid learning rate lr=array([0.1, nan])"),
    (np.ones((2, 1)), "Invalid learning rate lr=array([[1.],"),
    ([0.1, True], "Invalid learning rate lr=[0.1, True]"),
    (["0.1"], "Invalid learning rate lr=['0.1']"),
    ([], "Invalid learning rate lr=[]"),
])
def test_bad_lr_arrays_are_refused(lr, message):
    with pytest.raises(ValueError) as err:
        optimizers.create("adam", lr=lr)
    assert message in str(err.value)


def test_an_lr_array_of_the_wrong_length_is_refused_at_the_start():
    with pytest.raises(ValueError, match=r"Invalid learning rate lr of length 3: one per particle, and this run has 2"):
        optimizers.simulate("lion", "bowl", [(1, 1), (2, 2)], 5, lr=[0.1, 0.2, 0.3])


# ---------------------------------------------------------------- velocity

def one_step(key, **hp):
    opt = optimizers.create(key, **hp)
    state = optimizers.run.init(opt, BOWL, [(1.0, 1.0)])
    return opt, state, optimizers.run.step(opt, BOWL, state)


@pytest.mark.parametrize("key, hp, expected", [
    ("momentum", dict(lr=0.1), -0.1 * G0),  # b₁ = g₀
    ("nesterov", dict(lr=0.1), -0.1 * G0),
    ("sgd", dict(lr=0.1, momentum=0.5), -0.1 * G0),
    ("adam", dict(lr=0.1), -0.1 * G0),  # −lr/(1 − β₁)·(1 − β₁)g₀
    ("adamw", dict(lr=0.1, betas=(0.5, 0.9)), -0.1 * G0),
    ("adamax", dict(lr=0.1), -0.1 * G0),
    ("nadam", dict(lr=0.1), -0.1 * G0),
    ("radam", dict(lr=0.1), -0.1 * G0),
    ("lion", dict(lr=0.1), -0.1 * 0.01 * G0),  # m₁ = (1 − β₂)g₀
])
def test_velocity_after_one_step(key, hp, expected):
    opt, before, after = one_step(key, **hp)
    assert optimizers.velocity(opt, before) is None  # no buffer yet
    np.testing.assert_allclose(optimizers.velocity(opt, after), [expected], rtol=1e-12)
    np.testing.assert_array_equal(optimizers.velocity(opt, after), optimizers.velocity(opt, after.opt_state))


def test_velocity_of_rmsprop_with_momentum():
    # b₁ = g₀/(√(0.01·g₀²) + ε) = 10·sign(g₀) (≈)
    opt, _, after = one_step("rmsprop", lr=0.01, momentum=0.5)
    np.testing.assert_allclose(optimizers.velocity(opt, after), [-0.01 * G0 / (0.1 * G0 + 1e-8)], rtol=1e-12)


@pytest.mark.parametrize("key", ["sgd", "rmsprop", "adagrad", "adadelta", "rprop", "newton", "annealing", "restarts"])
def test_no_velocity_without_a_momentum_buffer(key):
    opt, _, after = one_step(key)
    assert optimizers.velocity(opt, after) is None


def test_velocity_with_an_lr_per_particle():
    opt = optimizers.create("momentum", lr=np.array([0.1, 0.2]))
    state = optimizers.run.step(opt, BOWL, optimizers.run.init(opt, BOWL, [(1.0, 1.0), (1.0, 1.0)]))
    np.testing.assert_allclose(optimizers.velocity(opt, state), [-0.1 * G0, -0.2 * G0], rtol=1e-15)


# ---------------------------------------------------------------- rule texts

@pytest.mark.parametrize("key, hp, expected", [
    ("lion", dict(lr=0.01), "c = 0.9·m + (1 − 0.9)·g;  θ ← θ − 0.01·sign(c);  m ← 0.99·m + (1 − 0.99)·g"),
    ("lion", dict(lr=0.01, weight_decay=0.1), "θ ← θ − 0.01·sign(c);  m ← 0.99·m + (1 − 0.99)·g;  "
                                              "decay: θ ← θ − 0.01·0.1·θ"),
    ("newton", dict(lr=0.5), "θ ← θ − 0.5·H̃⁻¹∇f(θ),  H̃ = ∇²f(θ) with each eigenvalue λ replaced by "
                             "max(|λ|, 0.001)"),
    ("rprop", dict(lr=0.02), "δ ← δ·1.2 while g keeps its sign, δ ← δ·0.5 when it flips"),
    ("rprop", dict(lr=0.02), "δ in [1e-06, 50], δ₀ = 0.02;  θ ← θ − sign(g)·δ"),
    ("adagrad", dict(lr=0.1, weight_decay=0.2), "θ ← θ − 0.1/(1 + (t − 1)·0)·g / (√s + 1e-10),  s₀ = 0;  "
                                                "g = ∇f(θ) + 0.2·θ"),
    ("adadelta", dict(), "θ ← θ − 1·Δ"),
    ("adamax", dict(lr=0.002), "u ← max(0.999·u, |g| + 1e-08);  θ ← θ − 0.002/(1 − 0.9ᵗ)·m / u"),
    ("nadam", dict(lr=0.002, weight_decay=0.1, decoupled_weight_decay=True), "first θ ← θ·(1 − 0.002·0.1)"),
    ("radam", dict(lr=0.003), "θ ← θ − 0.003·rₜ·m̂ / (√v̂ + 1e-08) once ρₜ > 5, else θ ← θ − 0.003·m̂"),
])
def test_rule_text_of_the_new_methods(key, hp, expected):
    assert expected in optimizers.rule_text(optimizers.create(key, **hp))


def test_rule_text_with_an_lr_per_particle_names_lr():
    assert optimizers.rule_text(optimizers.create("sgd", lr=np.array([0.1, 0.2]))) == "θ ← θ − lr·∇f(θ)"


# ---------------------------------------------------------------- bad input

BAD = [
    ("adagrad", dict(lr_decay=-1.0), "Invalid lr_decay=-1.0: must be a finite number >= 0"),
    ("adagrad", dict(initial_accumulator_value=-0.1), "Invalid initial_accumulator_value=-0.1"),
    ("adagrad", dict(eps=0.0), "Invalid eps=0.0: must be a finite number > 0"),
    ("adadelta", dict(rho=1.5), "Invalid rho=1.5: must be in [0, 1]"),
    ("adadelta", dict(weight_decay=float("inf")), "Invalid weight_decay=inf"),
    ("adamax", dict(betas=(0.9, 1.0)), "Invalid betas[1]=1.0: must be in [0, 1)"),
    ("nadam", dict(momentum_decay=-0.004), "Invalid momentum_decay=-0.004: must be a finite number >= 0"),
    ("nadam", dict(decoupled_weight_decay=1), "Invalid decoupled_weight_decay=1: must be True or False"),
    ("radam", dict(betas=[0.9]), "Invalid betas=[0.9]: must be a pair"),
    ("rprop", dict(etas=(0.5, 1.0)), "Invalid etas=(0.5, 1.0): must be a pair (etaminus, etaplus) with "
                                     "0 < etaminus < 1 < etaplus"),
    ("rprop", dict(etas=(0.0, 1.2)), "Invalid etas=(0.0, 1.2)"),
    ("rprop", dict(etas=("a", 1.2)), "Invalid etas[0]='a'"),
    ("rprop", dict(etas=1.2), "Invalid etas=1.2: must be a pair"),
    ("rprop", dict(step_sizes=(1.0, 0.1)), "Invalid step_sizes=(1.0, 0.1): must be a pair (min, max) of step "
                                           "sizes with 0 <= min <= max"),
    ("rprop", dict(step_sizes=(-1.0, 0.1)), "Invalid step_sizes[0]=-1.0: must be a finite number >= 0"),
    ("newton", dict(damping=0.0), "Invalid damping=0.0: must be a finite number > 0"),
    ("newton", dict(lr=-1.0), "Invalid learning rate lr=-1.0"),
    ("lion", dict(betas=(1.0, 0.99)), "Invalid betas[0]=1.0: must be in [0, 1)"),
    ("lion", dict(weight_decay=-0.1), "Invalid weight_decay=-0.1"),
    ("lion", dict(momentum=0.9), "Unknown hyperparameter 'momentum' for optimizer 'lion'; valid ones are: "
                                 "lr, betas, weight_decay"),
]


@pytest.mark.parametrize("name, hp, message", BAD, ids=[f"{b[0]}-{next(iter(b[1]))}" for b in BAD])
def test_bad_hyperparameters_of_the_new_methods(name, hp, message):
    with pytest.raises(ValueError) as err:
        optimizers.create(name, **hp)
    assert message in str(err.value)


def test_newton_without_the_landscape_says_how_to_step_it():
    opt = optimizers.create("newton")
    with pytest.raises(TypeError, match="needs the landscape's Hessian"):
        opt.update(np.zeros((1, 2)), np.zeros((1, 2)), opt.init(np.zeros((1, 2))))


@pytest.mark.parametrize("key", optimizers.MORE_METHODS)
def test_new_methods_converge_on_the_bowl(key):
    # Adadelta at its default lr = 1 ends here in a slowly growing ±0.03 two-cycle across the
    # steep axis (measured); at 0.5 it converges.
    lr = {"adagrad": 0.5, "adadelta": 0.5, "rprop": 0.1, "newton": 1.0, "lion": 0.001}.get(key, 0.02)
    sim = optimizers.simulate(key, "bowl", [(-2.5, 2.0), (2.0, 1.0)], 5000, lr=lr)
    assert np.abs(sim.path[-1]).max() < 1e-2, f"{key} ended at {sim.path[-1].tolist()}"
    assert (sim.final.status != optimizers.DIVERGED).all()
