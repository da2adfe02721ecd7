"""Gradient noise: every gradient method sees ∇f + σ·ξ, ξ ~ N(0, I) from the run's own
generator ``np.random.default_rng(seed)``, one ``standard_normal((n, 2))`` draw per step.

The noise a run saw is recovered from its path by inverting a rule we know by hand (on the
bowl f = ½(x² + 4y²), ∇f = (x, 4y)): SGD's θ_t = θ_{t−1} − lr·g_t gives
g_t = (θ_{t−1} − θ_t)/lr, and ξ_t = (g_t − ∇f(θ_{t−1}))/σ. The expected draws come from
numpy's generator directly, not from the code under test."""

import json
import math

import numpy as np
import pytest

import app
import landscapes
import optimizers
from optimizers import run

BOWL = landscapes.get("bowl")


def grad_bowl(p):
    p = np.asarray(p, float)
    return np.stack([p[..., 0], 4 * p[..., 1]], axis=-1)


def expected_draws(seed, steps, n=1):
    rng = np.random.default_rng(seed)
    return np.array([rng.standard_normal((n, 2)) for _ in range(steps)])


def sgd_noise(path, lr, sigma):
    """ξ_t per step from an SGD path (steps+1, n, 2) on the bowl."""
    g = (path[:-1] - path[1:]) / lr
    return (g - grad_bowl(path[:-1])) / sigma


def momentum_noise(path, lr, mu, sigma):
    """ξ_t from a heavy-ball path: b_t = (θ_{t−1} − θ_t)/lr, g_t = b_t − μ·b_{t−1} (b₁ = g₁)."""
    b = (path[:-1] - path[1:]) / lr
    g = b.copy()
    g[1:] -= mu * b[:-1]
    return (g - grad_bowl(path[:-1])) / sigma


def call(session, command, **args):
    text, arrays = app.handle(command, json.dumps(args), session=session)
    return decode(json.loads(text), arrays)


def decode(value, arrays):
    if isinstance(value, dict) and "$array" in value:
        return arrays[value["$array"]]
    if isinstance(value, dict):
        return {k: decode(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, arrays) for v in value]
    return value


# ---------------------------------------------------------------------- σ = 0 is today's run

@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "rmsprop", "restarts"])
def test_zero_noise_is_exactly_the_noiseless_run(name):
    plain = optimizers.simulate(name, "ravine", [(-1.5, 2.0), (0.5, 4.0)], 200, lr=0.01)
    for seed in (0, 7):
        quiet = optimizers.simulate(name, "ravine", [(-1.5, 2.0), (0.5, 4.0)], 200, lr=0.01, noise=0.0, noise_seed=seed)
        np.testing.assert_array_equal(quiet.path, plain.path)
        np.testing.assert_array_equal(quiet.loss, plain.loss)
        assert quiet.final.rng is None and quiet.final.noise == 0.0


def test_zero_noise_sgd_is_the_formula():
    lr, p = 0.1, np.array([2.0, -1.5])
    path = optimizers.trajectory("sgd", BOWL, p, 30, lr=lr, noise=0.0, noise_seed=3)
    for t in range(1, 31):
        p = p - lr * grad_bowl(p)
        np.testing.assert_allclose(path[t], p, rtol=1e-14, atol=1e-300)


def test_a_fresh_state_without_noise_holds_no_generator():
    opt = optimizers.create("sgd", lr=0.1)
    state = run.init(opt, BOWL, [(1.0, 1.0)])
    assert state.noise == 0.0 and state.rng is None
    noisy = run.init(opt, BOWL, [(1.0, 1.0)], noise=0.5, seed=2)
    assert noisy.noise == 0.5 and isinstance(noisy.rng, np.random.Generator)


# ---------------------------------------------------------------------- the draws

def test_sgd_sees_the_gradient_plus_sigma_times_the_seeded_standard_normal_draws():
    sigma, lr, steps = 0.7, 0.05, 40
    path = optimizers.trajectories("sgd", BOWL, [(2.0, 1.0)], steps, lr=lr, noise=sigma, noise_seed=11)
    np.testing.assert_allclose(sgd_noise(path, lr, sigma), expected_draws(11, steps), rtol=1e-9, atol=1e-9)


def test_many_particles_draw_one_n_by_2_array_per_step():
    sigma, lr, steps, starts = 0.3, 0.05, 5, [(2.0, 1.0), (-1.0, 0.5), (0.0, -2.0)]
    path = optimizers.trajectories("sgd", BOWL, starts, steps, lr=lr, noise=sigma, noise_seed=4)
    np.testing.assert_allclose(sgd_noise(path, lr, sigma), expected_draws(4, steps, n=3), rtol=1e-9, atol=1e-9)


def test_momentum_sees_the_same_draws():
    sigma, lr, mu, steps = 0.4, 0.02, 0.9, 30
    path = optimizers.trajectories("momentum", BOWL, [(2.0, 1.0)], steps, lr=lr, momentum=mu, noise=sigma, noise_seed=5)
    np.testing.assert_allclose(momentum_noise(path, lr, mu, sigma), expected_draws(5, steps),
                               rtol=1e-7, atol=1e-7)


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    kw = dict(lr=0.02, noise=1.5)
    a = optimizers.trajectory("adam", "bumpy", (1.0, 2.0), 150, noise_seed=9, **kw)
    b = optimizers.trajectory("adam", "bumpy", (1.0, 2.0), 150, noise_seed=9, **kw)
    c = optimizers.trajectory("adam", "bumpy", (1.0, 2.0), 150, noise_seed=10, **kw)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3


def test_noise_statistics_are_standard_normal():
    """One SGD step of 20,000 particles from the same point, then another: each
    coordinate of ξ has mean 0 and variance 1, the two coordinates and the two steps are
    uncorrelated (bounds: 5 standard errors)."""
    n, sigma, lr = 20_000, 2.0, 0.01
    starts = np.tile([1.0, -1.0], (n, 1))
    path = optimizers.trajectories("sgd", BOWL, starts, 2, lr=lr, noise=sigma, noise_seed=123)
    xi = sgd_noise(path, lr, sigma)  # (2, n, 2)
    se = 5 / math.sqrt(n)
    flat = xi.reshape(-1, 2)
    assert np.abs(flat.mean(axis=0)).max() < se
    assert np.abs(flat.var(axis=0) - 1).max() < 5 * math.sqrt(2 / len(flat))
    assert abs(np.corrcoef(flat[:, 0], flat[:, 1])[0, 1]) < se
    assert abs(np.corrcoef(xi[0, :, 0], xi[1, :, 0])[0, 1]) < se  # step 1 vs step 2
    # the tails of a normal: about 4.55 % beyond 2σ
    beyond = np.mean(np.abs(flat) > 2)
    assert abs(beyond - 0.0455) < 5 * math.sqrt(0.0455 * 0.9545 / flat.size)


def test_a_diverged_particle_still_draws_so_the_others_keep_their_sequence():
    """Particle 0 starts far out and diverges at lr 1.2 on the bowl (y grows ×3 a step);
    particle 1 keeps seeing row 1 of each (2, 2) draw."""
    sigma, lr, steps = 0.1, 0.3, 60
    sim = optimizers.simulate("sgd", BOWL, [(1.0, 1e300), (1.0, 0.5)], steps, lr=lr, noise=sigma, noise_seed=8)
    assert sim.final.status[0] == run.DIVERGED
    xi = sgd_noise(sim.path[:, 1:], lr, sigma)
    np.testing.assert_allclose(xi, expected_draws(8, steps, n=2)[:, 1:], rtol=1e-8, atol=1e-8)


def test_simulated_annealing_ignores_the_noise():
    quiet = optimizers.trajectory("annealing", "wells", (3.0, 3.0), 300)
    noisy = optimizers.trajectory("annealing", "wells", (3.0, 3.0), 300, noise=5.0, noise_seed=1)
    np.testing.assert_array_equal(noisy, quiet)


# ---------------------------------------------------------------------- the page's balls

def test_every_ball_sees_the_same_noise_and_simulate_reproduces_each_bit_for_bit():
    s = app.Session()
    land = landscapes.get("bumpy")
    call(s, "scene", landscape="bumpy", lr=0.03, beta=0.8, resolution=32, noise=1.25)
    assert s.noise == 1.25 and s.seed == 0
    path = np.concatenate([call(s, "advance", steps=n)["path"] for n in (1, 40, 19)])
    keys = s.keys
    assert keys == optimizers.names()
    for k, key in enumerate(keys):
        name, hp = app.hyperparameters(key, 0.03, 0.8)
        expected = optimizers.trajectory(name, "bumpy", land.start, 60, noise=1.25, noise_seed=0, **hp)
        np.testing.assert_array_equal(path[:, k], expected[1:], err_msg=key)
    quiet = optimizers.trajectory("sgd", "bumpy", land.start, 60, lr=0.03)
    assert np.abs(path[:, keys.index("sgd")] - quiet[1:]).max() > 1e-3, "the noise moved SGD"


def test_the_balls_share_one_noise_sequence_recovered_from_sgd_and_momentum():
    s = app.Session()
    sigma, lr, beta, steps = 0.8, 0.02, 0.9, 25
    call(s, "scene", landscape="bowl", lr=lr, beta=beta, resolution=32, noise=sigma)
    start = np.array(BOWL.start)[None, :]
    path = np.concatenate([start[None].repeat(len(s.keys), 1), call(s, "advance", steps=steps)["path"]])
    xi = expected_draws(0, steps)
    sgd = path[:, [s.keys.index("sgd")]]
    mom = path[:, [s.keys.index("momentum")]]
    restarts = path[:, [s.keys.index("restarts")]]  # its first descent is SGD at the page's lr
    np.testing.assert_allclose(sgd_noise(sgd, lr, sigma), xi, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(momentum_noise(mom, lr, beta, sigma), xi, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(sgd_noise(restarts, lr, sigma), xi, rtol=1e-9, atol=1e-9)


def test_the_seed_can_be_set_and_reset_replays_the_same_noise():
    s = app.Session()
    call(s, "reset", noise=0.5, seed=42)
    first = call(s, "advance", steps=30)["path"]
    again = call(s, "reset")  # keeps σ and the seed
    assert again["runs"]["noise"] == 0.5 and s.seed == 42
    np.testing.assert_array_equal(call(s, "advance", steps=30)["path"], first)
    call(s, "reset", seed=43)
    assert np.abs(call(s, "advance", steps=30)["path"] - first).max() > 0
    call(s, "reset", noise=0)
    quiet = call(s, "advance", steps=30)["path"]
    name, hp = app.hyperparameters("adam", s.lr, s.beta)
    expected = optimizers.trajectory(name, s.landscape, s.start, 30, **hp)
    np.testing.assert_array_equal(quiet[:, s.keys.index("adam")], expected[1:])


# ---------------------------------------------------------------------- bad values

@pytest.mark.parametrize("noise, message", [
    (-0.1, "Invalid noise=-0.1: must be a finite number >= 0"),
    (float("nan"), "Invalid noise=nan"),
    (float("inf"), "Invalid noise=inf"),
    (True, "Invalid noise=True"),
    ("0.5", "Invalid noise='0.5'"),
    (run.MAX_NOISE * 1.01, f"must be a finite number in [0, {run.MAX_NOISE:g}] (gradient units)"),
])
def test_bad_noise_is_refused_by_name(noise, message):
    opt = optimizers.create("sgd", lr=0.1)
    with pytest.raises(ValueError) as err:
        run.init(opt, BOWL, [(1.0, 1.0)], noise=noise)
    assert message in str(err.value)
    with pytest.raises(ValueError) as err:
        optimizers.simulate("sgd", BOWL, [(1.0, 1.0)], 3, lr=0.1, noise=noise)
    assert message in str(err.value)


@pytest.mark.parametrize("seed, message", [
    (-1, "Invalid seed=-1: must be an integer in [0, "),
    (1.5, "Invalid seed=1.5"),
    (True, "Invalid seed=True"),
    ("3", "Invalid seed='3'"),
    (2**63, "Invalid seed=9223372036854775808"),
])
def test_bad_seeds_are_refused_by_name(seed, message):
    opt = optimizers.create("sgd", lr=0.1)
    with pytest.raises(ValueError) as err:
        run.init(opt, BOWL, [(1.0, 1.0)], noise=0.1, seed=seed)
    assert message in str(err.value)


def test_the_largest_noise_is_allowed_and_negative_zero_is_zero():
    opt = optimizers.create("sgd", lr=0.1)
    assert run.init(opt, BOWL, [(1.0, 1.0)], noise=run.MAX_NOISE).noise == run.MAX_NOISE
    zero = run.init(opt, BOWL, [(1.0, 1.0)], noise=-0.0)
    assert zero.rng is None and math.copysign(1, zero.noise) == 1


def test_a_hand_made_noisy_state_without_generator_is_refused():
    opt = optimizers.create("sgd", lr=0.1)
    state = run.init(opt, BOWL, [(1.0, 1.0)])._replace(noise=0.5)
    with pytest.raises(ValueError, match="noise=0.5 but no generator"):
        run.step(opt, BOWL, state)
