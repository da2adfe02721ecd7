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

from . import escape, flow, run, validation
from .escape import annealing, restarts
from .flow import FlowResult, FlowState
from .rules import Optimizer, adam, adamw, heavy_ball, nesterov, rmsprop, sgd
from .run import CONVERGED, DIVERGED, RUNNING, STATUS_NAMES, RunState

__all__ = [
    "names", "get", "create", "label", "trajectory", "trajectories", "simulate", "Simulation",
    "gradient_flow", "FlowResult", "FlowState", "Optimizer", "RunState",
    "RUNNING", "CONVERGED", "DIVERGED", "STATUS_NAMES", "run", "flow",
    "GRADIENT_METHODS", "ESCAPE_METHODS", "page_hyperparameters", "rule_text",
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
}
GRADIENT_METHODS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
ESCAPE_METHODS = ("annealing", "restarts")  # seed 001's: they need f and the view, not only ∇f


def page_hyperparameters(key: str, lr: float, beta: float) -> tuple[str, dict]:
    """The optimizer (registry name and keyword arguments) a ball runs for the page's lr and β.

    β is the momentum of Momentum and Nesterov and β₁ of Adam and AdamW (β₂ = 0.999). At
    β = 0 Nesterov is plain SGD (torch refuses nesterov=True without momentum). Random
    restarts descend with the page's lr; simulated annealing uses neither (its own
    defaults, seed 001's). SGD and RMSProp take lr only. An unknown key raises KeyError;
    lr and β are checked when the optimizer is created."""
    _entry(key)
    if key in ("momentum", "nesterov"):
        if key == "nesterov" and beta == 0:
            return "sgd", {"lr": lr}
        return key, {"lr": lr, "momentum": beta}
    if key in ("adam", "adamw"):
        return key, {"lr": lr, "betas": (beta, 0.999)}
    if key == "annealing":
        return key, {}
    return key, {"lr": lr}


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
}


def rule_text(optimizer: Optimizer) -> str:
    """The update rule of a configured optimizer with its hyperparameters filled in
    (g = ∇f(θ)), e.g. ``"θ ← θ − 0.01·∇f(θ)"`` for SGD at lr 0.01."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"Invalid optimizer={validation.show(optimizer)}: must be an Optimizer "
                        f"from optimizers.create")
    hp = dict(optimizer.hyperparameters)
    if "betas" in hp:
        hp["b1"], hp["b2"] = hp["betas"]
    name = optimizer.key
    if name == "sgd" and hp.get("momentum"):
        name = "nesterov" if hp.get("nesterov") else "momentum"
    if name not in _RULES:  # a renamed ball (the page keys balls by their slot)
        name = "sgd" if "momentum" in hp and not hp["momentum"] else name
    template = _RULES.get(name, _RULES["sgd"])
    return template.format(**{k: f"{v:g}" if isinstance(v, float) else v for k, v in hp.items()})


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
    """A finished batch run: path (steps+1, n, 2), loss (steps+1, n), final RunState."""

    path: np.ndarray
    loss: np.ndarray
    final: RunState


def simulate(name: str, landscape, starts, steps: int, **hyperparameters) -> Simulation:
    """Run optimizer ``name`` from every start for ``steps`` updates, keeping the whole path.

    Diverged particles stay at their last finite position (``final.status`` says which).
    Limits (checked before anything is allocated): ``steps`` ≤ ``validation.MAX_STEPS``,
    (steps + 1) × particles ≤ ``validation.MAX_POSITION_UPDATES``; see ``validation``."""
    steps = validation.steps(steps)
    opt = create(name, **hyperparameters)
    land = _landscape(landscape)
    starts = run.as_starts(starts)
    validation.run_size(steps, len(starts))
    state = run.init(opt, land, starts)
    path = np.empty((steps + 1,) + state.positions.shape)
    loss = np.empty((steps + 1, len(state.positions)))
    path[0], loss[0] = state.positions, state.loss
    for i in range(1, steps + 1):
        state = run.step(opt, land, state)
        path[i], loss[i] = state.positions, state.loss
    return Simulation(path, loss, state)


def trajectories(name: str, landscape, starts, steps: int, **hyperparameters) -> np.ndarray:
    """Positions of every particle after 0..steps updates: shape (steps+1, n, 2)."""
    return simulate(name, landscape, starts, steps, **hyperparameters).path


def trajectory(name: str, landscape, start, steps: int, **hyperparameters) -> np.ndarray:
    """Positions of one particle after 0..steps updates: shape (steps+1, 2)."""
    start_arr = run.as_starts(start)
    if len(start_arr) != 1:
        raise ValueError(f"Invalid start of shape {start_arr.shape}: trajectory takes one (x, y); "
                         f"use trajectories for many")
    return trajectories(name, landscape, start_arr, steps, **hyperparameters)[:, 0, :]


def gradient_flow(landscape, starts, t_max: float = 1e3, **tolerances) -> FlowResult:
    """Follow dx/dt = −∇f(x) from every start until each comes to rest or t reaches t_max;
    ``landscape`` is a Landscape or a registry key. See ``optimizers.flow`` for the method
    and the tolerances (rtol, atol, gtol, xtol, max_iterations)."""
    return flow.gradient_flow(_landscape(landscape), starts, t_max, **tolerances)
