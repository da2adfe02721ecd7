"""Stepwise optimizers over many particles, with torch.optim's update rules and names.

    >>> import landscapes, optimizers
    >>> path = optimizers.trajectory("adam", "ravine", start=(-1.5, 2.0), steps=100, lr=0.02)
    >>> path.shape
    (101, 2)
"""

from __future__ import annotations

import inspect
from typing import Callable, NamedTuple

import numpy as np

from . import adaptive, escape, flow, run, validation
from .adaptive import AdamaxState, NAdamState, RAdamState, adadelta, adagrad, adamax, nadam, radam, rprop
from .escape import annealing, restarts
from .flow import FlowPaths, FlowResult, FlowState
from .lion import LionState, lion
from .newton import newton
from .rules import AdamState, Optimizer, RMSpropState, SGDState, adam, adamw, heavy_ball, nesterov, rmsprop, rows, sgd
from .run import CONVERGED, DIVERGED, RUNNING, STATUS_NAMES, RunState
from .sweep import SweepResult, sweep

__all__ = [
    "names", "get", "create", "label", "trajectory", "trajectories", "simulate", "Simulation",
    "gradient_flow", "FlowResult", "FlowState", "Optimizer", "RunState",
    "RUNNING", "CONVERGED", "DIVERGED", "STATUS_NAMES", "run", "flow",
    "GRADIENT_METHODS", "ESCAPE_METHODS", "MORE_METHODS", "page_hyperparameters", "ball_hyperparameters",
    "rule_text", "gradient_flow_paths", "FlowPaths",
    "hyperparameter_specs", "velocity", "sweep", "SweepResult",
]


class _Entry(NamedTuple):
    label: str
    factory: Callable[..., Optimizer]


def _sgd(*, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
         weight_decay: float = 0.0, nesterov: bool = False) -> Optimizer:
    return sgd("sgd", lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
               nesterov=nesterov)


_sgd.__doc__ = sgd.__doc__

_REGISTRY: dict[str, _Entry] = {
    "sgd": _Entry("SGD", _sgd),
    "momentum": _Entry("Momentum", heavy_ball),
    "nesterov": _Entry("Nesterov", nesterov),
    "rmsprop": _Entry("RMSProp", rmsprop),
    "adam": _Entry("Adam", adam),
    "adamw": _Entry("AdamW", adamw),
    "annealing": _Entry("Simulated annealing", annealing),
    "restarts": _Entry("Random restarts", restarts),
    "adagrad": _Entry("Adagrad", adagrad),
    "adadelta": _Entry("Adadelta", adadelta),
    "adamax": _Entry("Adamax", adamax),
    "nadam": _Entry("NAdam", nadam),
    "radam": _Entry("RAdam", radam),
    "rprop": _Entry("Rprop", rprop),
    "newton": _Entry("Newton", newton),
    "lion": _Entry("Lion", lion),
}
GRADIENT_METHODS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
ESCAPE_METHODS = ("annealing", "restarts")  # they need f and the view, not only ∇f
MORE_METHODS = ("adagrad", "adadelta", "adamax", "nadam", "radam", "rprop", "newton", "lion")


def page_hyperparameters(key: str, lr: float, beta: float) -> tuple[str, dict]:
    """The optimizer (registry name and keyword arguments) a ball runs for the page's lr and β.

    β is the momentum of Momentum and Nesterov and β₁ of Adam and AdamW (β₂ = 0.999). At
    β = 0 Nesterov is plain SGD (torch refuses nesterov=True without momentum). Random
    restarts descend with the page's lr; simulated annealing uses neither (its own
    defaults, the loss-surface notes'). Newton and Adadelta keep their own lr (1.0: the pure Newton
    step, and torch's Adadelta default): their lr multiplies a step that already has the
    units of θ (H⁻¹∇f; Adadelta's ratio of RMS sizes), so the shared step size would only
    slow them down. Every other method takes the shared lr. An unknown key raises
    KeyError; lr and β are checked when the optimizer is created."""
    _entry(key)
    if key in ("momentum", "nesterov"):
        if key == "nesterov" and beta == 0:
            return "sgd", {"lr": lr}
        return key, {"lr": lr, "momentum": beta}
    if key in ("adam", "adamw"):
        return key, {"lr": lr, "betas": (beta, 0.999)}
    if key in ("annealing", "newton", "adadelta"):
        return key, {}
    return key, {"lr": lr}


def ball_hyperparameters(key: str, lr: float, beta: float, overrides=None) -> tuple[str, dict]:
    """The optimizer a ball runs: the page's (``page_hyperparameters``) with the key's own
    settings on top (an ``lr`` there is the ball's own learning rate). Nesterov runs as SGD
    only when its momentum, shared or its own, is 0 (torch refuses nesterov=True then)."""
    name, hp = page_hyperparameters(key, lr, beta)
    if not overrides:
        return name, hp
    if name != key:  # Nesterov at β = 0: its own settings apply to Nesterov's hyperparameters
        hp = {"lr": lr, "momentum": beta}
    hp = {**hp, **overrides}
    m = hp.get("momentum")
    if key == "nesterov" and not isinstance(m, bool) and isinstance(m, (int, float)) and m == 0:
        return "sgd", {k: v for k, v in hp.items() if k != "momentum"}
    return key, hp


_RULES = {
    "sgd": "θ ← θ − {lr}·∇f(θ)",
    "momentum": "b ← {momentum}·b + ∇f(θ);  θ ← θ − {lr}·b",
    "nesterov": "b ← {momentum}·b + ∇f(θ);  θ ← θ − {lr}·(∇f(θ) + {momentum}·b)",
    "rmsprop": "v ← {alpha}·v + (1 − {alpha})·g²;  θ ← θ − {lr}·g / (√v + {eps})",
    "adam": "m ← {b1}·m + (1 − {b1})·g;  v ← {b2}·v + (1 − {b2})·g²;  "
            "θ ← θ − {lr}·m̂ / (√v̂ + {eps}),  m̂ = m/(1 − {b1}ᵗ), v̂ = v/(1 − {b2}ᵗ)",
    "adamw": "θ ← θ·(1 − {lr}·{weight_decay});  m ← {b1}·m + (1 − {b1})·g;  v ← {b2}·v + (1 − {b2})·g²;  "
             "θ ← θ − {lr}·m̂ / (√v̂ + {eps})",
    "annealing": "θ' = θ + {step_size}·z, z ~ N(0, I);  accept if Δf < 0 or u < exp(−Δf/T);  "
                 "T ← {cooling}·T, T₀ = {T0}",
    "restarts": "{n_restarts} descents of {steps_per} steps θ ← θ − {lr}·∇f(θ), the first from the start, "
                "the others from random points; keep the best end point",
    "adagrad": "s ← s + g²;  θ ← θ − {lr}/(1 + (t − 1)·{lr_decay})·g / (√s + {eps}),  "
               "s₀ = {initial_accumulator_value}",
    "adadelta": "v ← {rho}·v + (1 − {rho})·g²;  Δ ← √(u + {eps}) / √(v + {eps})·g;  "
                "u ← {rho}·u + (1 − {rho})·Δ²;  θ ← θ − {lr}·Δ",
    "adamax": "m ← {b1}·m + (1 − {b1})·g;  u ← max({b2}·u, |g| + {eps});  θ ← θ − {lr}/(1 − {b1}ᵗ)·m / u",
    "nadam": "μₜ = {b1}·(1 − ½·0.96^({momentum_decay}·t));  m ← {b1}·m + (1 − {b1})·g;  "
             "v ← {b2}·v + (1 − {b2})·g²;  θ ← θ − {lr}·((1 − μₜ)/(1 − Πμ)·g + μₜ₊₁/(1 − Πμ·μₜ₊₁)·m) "
             "/ (√v̂ + {eps}),  Πμ = μ₁⋯μₜ, v̂ = v/(1 − {b2}ᵗ)",
    "radam": "m ← {b1}·m + (1 − {b1})·g;  v ← {b2}·v + (1 − {b2})·g²;  "
             "θ ← θ − {lr}·rₜ·m̂ / (√v̂ + {eps}) once ρₜ > 5, else θ ← θ − {lr}·m̂  "
             "(m̂ = m/(1 − {b1}ᵗ), v̂ = v/(1 − {b2}ᵗ), rₜ the variance rectification)",
    "rprop": "per coordinate: δ ← δ·{eta_plus} while g keeps its sign, δ ← δ·{eta_minus} when it flips "
             "(no step then), δ in [{step_min}, {step_max}], δ₀ = {lr};  θ ← θ − sign(g)·δ",
    "newton": "θ ← θ − {lr}·H̃⁻¹∇f(θ),  H̃ = ∇²f(θ) with each eigenvalue λ replaced by max(|λ|, {damping})",
    "lion": "c = {b1}·m + (1 − {b1})·g;  θ ← θ − {lr}·sign(c);  m ← {b2}·m + (1 − {b2})·g",
}
_PAIRS = {"betas": ("b1", "b2"), "etas": ("eta_minus", "eta_plus"), "step_sizes": ("step_min", "step_max")}


def _weight_decay_text(name: str, hp: dict) -> str:
    """How a new method's weight decay λ enters, appended to its rule (the card's six state it
    in their own templates or not at all, unchanged)."""
    wd = hp.get("weight_decay")
    if name not in MORE_METHODS or not wd:
        return ""
    if name == "lion":
        return f";  decay: θ ← θ − {{lr}}·{wd:g}·θ"
    if hp.get("decoupled_weight_decay"):
        return f";  first θ ← θ·(1 − {{lr}}·{wd:g})"
    return f";  g = ∇f(θ) + {wd:g}·θ"


def _shown(value) -> str:
    if isinstance(value, np.ndarray):
        return "lr"  # one per particle (a sweep): no single number to show
    return f"{value:g}" if isinstance(value, float) else str(value)


def rule_text(optimizer: Optimizer) -> str:
    """The update rule of a configured optimizer with its hyperparameters filled in
    (g = ∇f(θ)), e.g. ``"θ ← θ − 0.01·∇f(θ)"`` for SGD at lr 0.01."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"Invalid optimizer={validation.show(optimizer)}: must be an Optimizer "
                        f"from optimizers.create")
    hp = dict(optimizer.hyperparameters)
    for pair, (first, second) in _PAIRS.items():
        if pair in hp:
            hp[first], hp[second] = hp[pair]
    name = optimizer.key
    if name == "sgd" and hp.get("momentum"):
        name = "nesterov" if hp.get("nesterov") else "momentum"
    if name not in _RULES:  # a renamed ball (the page keys balls by their slot)
        name = "sgd" if "momentum" in hp and not hp["momentum"] else name
    template = _RULES.get(name, _RULES["sgd"]) + _weight_decay_text(name, hp)
    return template.format(**{k: _shown(v) for k, v in hp.items()})


_KINDS = ((bool, "flag"), (tuple, "pair"), (int, "integer"), (float, "number"))


def hyperparameter_specs(key: str) -> list[dict]:
    """The hyperparameters of registry key ``key`` by their torch names, in signature order:
    ``[{"name": "lr", "kind": "number", "default": 0.001}, {"name": "betas", "kind": "pair",
    "default": (0.9, 0.999)}, ...]``. kind is "number" (a float), "pair" (two numbers:
    betas, etas, step_sizes), "flag" (True/False) or "integer" (seed, n_restarts, steps_per).
    An unknown key raises KeyError listing the valid ones."""
    specs = []
    for name, default in defaults(key).items():
        kind = next(k for t, k in _KINDS if isinstance(default, t))
        specs.append({"name": name, "kind": kind, "default": default})
    return specs


_ADAM_FAMILY = (AdamState, AdamaxState, NAdamState, RAdamState)


def velocity(opt: Optimizer, state) -> np.ndarray | None:
    """An optimizer's momentum (first-moment) buffer as a displacement in θ units, (n, 2);
    ``state`` is the optimizer's state or a ``RunState``. With lr per particle where given:

    * SGD with momentum, Momentum, Nesterov, RMSprop with momentum > 0: −lr·b (b the
      momentum buffer);
    * Adam, AdamW, Adamax, NAdam, RAdam: −lr/(1 − β₁ᵗ)·m (m = exp_avg, t = steps taken);
    * Lion: −lr·m;
    * None for methods without such a buffer (plain SGD, RMSprop without momentum,
      Adagrad, Adadelta, Rprop, Newton, annealing, restarts) and before the first step.
    """
    st = state.opt_state if isinstance(state, RunState) else state
    lr = opt.hyperparameters.get("lr")
    if lr is None or getattr(st, "step", 0) == 0:
        return None
    lr = rows(lr)
    if isinstance(st, SGDState):
        return None if st.momentum_buffer is None else -lr * st.momentum_buffer
    if isinstance(st, RMSpropState):
        return -lr * st.momentum_buffer if opt.hyperparameters["momentum"] > 0 else None
    if isinstance(st, _ADAM_FAMILY):
        beta1 = opt.hyperparameters["betas"][0]
        return -lr / (1.0 - beta1**st.step) * st.exp_avg
    if isinstance(st, LionState):
        return -lr * st.exp_avg
    return None


def names() -> list[str]:
    """Registry keys of every optimizer, in display order."""
    return list(_REGISTRY)


def _entry(name: str) -> _Entry:
    if not isinstance(name, str) or name not in _REGISTRY:
        raise validation.unknown_name("optimizer", name, names())
    return _REGISTRY[name]


def label(name: str) -> str:
    """Display label of an optimizer key, e.g. ``"rmsprop" -> "RMSProp"``."""
    return _entry(name).label


def get(name: str) -> Callable[..., Optimizer]:
    """The factory for ``name``; call it with hyperparameters to get an ``Optimizer``.
    Its docstring states the update rule; its signature lists hyperparameters and defaults."""
    return _entry(name).factory


def defaults(name: str) -> dict:
    """Default hyperparameters of ``name`` (torch's defaults where torch has them)."""
    sig = inspect.signature(get(name))
    return {k: p.default for k, p in sig.parameters.items()}


def create(name: str, **hyperparameters) -> Optimizer:
    """A configured optimizer; an unknown name raises ``KeyError`` listing the valid ones,
    unknown or invalid hyperparameters raise ``ValueError`` naming them."""
    valid = defaults(name)
    unknown = sorted(set(hyperparameters) - set(valid))
    if unknown:
        raise ValueError(f"Unknown hyperparameter {validation.show(unknown[0])} for optimizer {name!r}; "
                         f"valid ones are: {', '.join(valid)}")
    return get(name)(**hyperparameters)


def _landscape(landscape):
    """A Landscape, or a registry key; anything else TypeError naming ``landscape``."""
    return validation.landscape(landscape)


class Simulation(NamedTuple):
    """A finished batch run: path (steps+1, n, 2), loss (steps+1, n), final RunState, and
    status (steps+1, n) int8: each particle's ``RunState.status`` after 0..steps updates
    (``STATUS_NAMES``; row 0 is the start's: running, or diverged where f is not finite).
    ``status`` is None only in a Simulation built by hand with three fields."""

    path: np.ndarray
    loss: np.ndarray
    final: RunState
    status: np.ndarray | None = None


def simulate(name: str, landscape, starts, steps: int, *, noise: float = 0.0, noise_seed: int = 0,
             **hyperparameters) -> Simulation:
    """Run optimizer ``name`` from every start for ``steps`` updates, keeping the whole path.

    With ``noise`` σ > 0 every gradient method sees ∇f + σ·ξ, ξ ~ N(0, I) drawn from
    ``np.random.default_rng(noise_seed)`` (see ``run``): a page ball with the same σ and
    seed is reproduced exactly. (``noise_seed``, not ``seed``: ``seed`` stays the
    hyperparameter of annealing and random restarts.)
    Diverged particles stay at their last finite position (``final.status`` says which).
    Limits (checked before anything is allocated): ``steps`` ≤ ``validation.MAX_STEPS``,
    (steps + 1) × particles ≤ ``validation.MAX_POSITION_UPDATES``; see ``validation``."""
    steps = validation.steps(steps)
    opt = create(name, **hyperparameters)
    land = _landscape(landscape)
    starts = run.as_starts(starts)
    validation.run_size(steps, len(starts))
    state = run.init(opt, land, starts, noise=noise, seed=noise_seed)
    path = np.empty((steps + 1,) + state.positions.shape)
    loss = np.empty((steps + 1, len(state.positions)))
    status = np.empty((steps + 1, len(state.positions)), np.int8)
    path[0], loss[0], status[0] = state.positions, state.loss, state.status
    for i in range(1, steps + 1):
        state = run.step(opt, land, state)
        path[i], loss[i], status[i] = state.positions, state.loss, state.status
    return Simulation(path, loss, state, status)


def trajectories(name: str, landscape, starts, steps: int, *, noise: float = 0.0, noise_seed: int = 0,
                 **hyperparameters) -> np.ndarray:
    """Positions of every particle after 0..steps updates: shape (steps+1, n, 2) (noise as ``simulate``)."""
    return simulate(name, landscape, starts, steps, noise=noise, noise_seed=noise_seed, **hyperparameters).path


def trajectory(name: str, landscape, start, steps: int, *, noise: float = 0.0, noise_seed: int = 0,
               **hyperparameters) -> np.ndarray:
    """Positions of one particle after 0..steps updates: shape (steps+1, 2) (noise as ``simulate``)."""
    start_arr = run.as_starts(start)
    if len(start_arr) != 1:
        raise ValueError(f"Invalid start of shape {start_arr.shape}: trajectory takes one (x, y); "
                         f"use trajectories for many")
    return trajectories(name, landscape, start_arr, steps, noise=noise, noise_seed=noise_seed,
                        **hyperparameters)[:, 0, :]


def gradient_flow(landscape, starts, t_max: float = 1e3, **tolerances) -> FlowResult:
    """Follow dx/dt = −∇f(x) from every start until each comes to rest or t reaches t_max;
    ``landscape`` is a Landscape or a registry key. See ``optimizers.flow`` for the method
    and the tolerances (rtol, atol, gtol, xtol, max_iterations)."""
    return flow.gradient_flow(_landscape(landscape), starts, t_max, **tolerances)


def gradient_flow_paths(landscape, starts, t_max: float = 1e3, *, points: int = flow.PATH_POINTS,
                        **tolerances) -> FlowPaths:
    """``gradient_flow`` keeping each particle's curve (at most about 2·``points`` points
    per particle, for drawing); its ``end`` is exactly what ``gradient_flow`` returns.
    See ``optimizers.flow.gradient_flow_paths``."""
    return flow.gradient_flow_paths(_landscape(landscape), starts, t_max, points=points, **tolerances)
