"""Update rules, exactly torch.optim's, over many particles at once.

Every optimizer is a pair of pure functions (after optax): ``init(params) -> state`` and
``update(params, grads, state) -> (params, state)``. ``params`` and ``grads`` are arrays of
shape (n, 2); each row is one particle and rows never interact, so n runs are one run.
``state.step`` counts the updates taken (torch's ``state["step"]``).

``lr`` is a number or a 1-D array of n numbers, one per particle (``rows(lr)`` makes it
an (n, 1) column): particle i then runs exactly as it would alone at lr[i], every
operation being element-wise.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import validation as check

Array = np.ndarray


class Optimizer(NamedTuple):
    """A configured optimizer: its registry key, validated hyperparameters and its rule.

    ``update_on(landscape, params, grads, state)``, when set, replaces ``update`` for
    methods that need the landscape itself (f, the view window, the Hessian), not only its
    gradient: simulated annealing and random restarts (see ``optimizers.escape``), Newton.

    ``deterministic`` is consulted only with ``update_on``: True when that update is a
    deterministic function of the position and the state (Newton), so a zero move means
    the ball has come to rest, as for the gradient rules; False (the escape methods) when a
    zero move may be a rejected random proposal."""

    key: str
    hyperparameters: dict
    init: Callable[[Array], NamedTuple]
    update: Callable[[Array, Array, NamedTuple], tuple[Array, NamedTuple]]
    update_on: Callable | None = None
    deterministic: bool = False


def rows(lr):
    """``lr`` as it multiplies (n, 2) arrays: a float stays a float, a per-particle (n,)
    array becomes an (n, 1) column."""
    return lr[:, None] if isinstance(lr, np.ndarray) else lr


# --------------------------------------------------------------------------- SGD family

class SGDState(NamedTuple):
    step: int
    momentum_buffer: Array | None


def sgd(key: str = "sgd", *, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
        weight_decay: float = 0.0, nesterov: bool = False) -> Optimizer:
    """torch.optim.SGD. With g = ∇f(θ) + λθ (λ = weight_decay), μ = momentum, τ = dampening:

        b ← g                      on the first step (t = 1), when μ ≠ 0
        b ← μ·b + (1 − τ)·g        afterwards
        d ← g + μ·b  if nesterov,  b  if μ ≠ 0,  g  if μ = 0
        θ ← θ − lr·d

    Nesterov momentum requires μ > 0 and τ = 0 (as in torch).
    """
    lr = check.learning_rate(lr)
    momentum = check.unit_interval("momentum", momentum)
    dampening = check.unit_interval("dampening", dampening, closed=True)
    weight_decay = check.non_negative("weight_decay", weight_decay)
    nesterov = check.flag("nesterov", nesterov)
    if nesterov and (momentum <= 0.0 or dampening != 0.0):
        raise ValueError(f"Nesterov momentum requires a momentum > 0 and zero dampening "
                         f"(got momentum={momentum!r}, dampening={dampening!r})")

    lr_ = rows(lr)

    def init(params: Array) -> SGDState:
        check.per_particle(lr, params)
        return SGDState(step=0, momentum_buffer=None)

    def update(params: Array, grads: Array, state: SGDState):
        g = grads + weight_decay * params if weight_decay else grads
        buf = state.momentum_buffer
        if momentum != 0.0:
            buf = g.copy() if buf is None else momentum * buf + (1.0 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        return params - lr_ * g, SGDState(state.step + 1, buf)

    hp = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)
    return Optimizer(key, hp, init, update)


def heavy_ball(*, lr: float = 1e-3, momentum: float = 0.9, dampening: float = 0.0,
               weight_decay: float = 0.0) -> Optimizer:
    """SGD with (heavy-ball) momentum, torch.optim.SGD(momentum=μ): b ← μ·b + (1−τ)·g, θ ← θ − lr·b.
    μ defaults to 0.9 (torch's SGD default of 0 would make this plain SGD)."""
    return sgd("momentum", lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)


def nesterov(*, lr: float = 1e-3, momentum: float = 0.9, weight_decay: float = 0.0) -> Optimizer:
    """torch.optim.SGD(momentum=μ, nesterov=True): b ← μ·b + g, θ ← θ − lr·(g + μ·b).
    μ defaults to 0.9 and must be > 0."""
    return sgd("nesterov", lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=True)


# --------------------------------------------------------------------------- RMSprop

class RMSpropState(NamedTuple):
    step: int
    square_avg: Array
    grad_avg: Array
    momentum_buffer: Array


def rmsprop(*, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
            momentum: float = 0.0, centered: bool = False) -> Optimizer:
    """torch.optim.RMSprop. With g = ∇f(θ) + λθ, all operations element-wise:

        v ← α·v + (1 − α)·g²                       (v₀ = 0, no bias correction)
        ḡ ← ḡ + (1 − α)·(g − ḡ);  s ← √(v − ḡ²)   if centered, else  s ← √v
        b ← μ·b + g / (s + ε);  θ ← θ − lr·b       if μ > 0
        θ ← θ − lr·g / (s + ε)                     otherwise
    """
    lr = check.learning_rate(lr)
    alpha = check.unit_interval("alpha", alpha)
    eps = check.positive("eps", eps)
    weight_decay = check.non_negative("weight_decay", weight_decay)
    momentum = check.unit_interval("momentum", momentum)
    centered = check.flag("centered", centered)

    lr_ = rows(lr)

    def init(params: Array) -> RMSpropState:
        check.per_particle(lr, params)
        zeros = np.zeros_like(params, dtype=float)
        return RMSpropState(0, zeros, zeros, zeros)

    def update(params: Array, grads: Array, state: RMSpropState):
        g = grads + weight_decay * params if weight_decay else grads
        v = alpha * state.square_avg + (1.0 - alpha) * g * g
        g_avg = state.grad_avg
        if centered:
            g_avg = g_avg + (1.0 - alpha) * (g - g_avg)
            s = np.sqrt(v - g_avg * g_avg)
        else:
            s = np.sqrt(v)
        denom = s + eps
        buf = state.momentum_buffer
        if momentum > 0.0:
            buf = momentum * buf + g / denom
            params = params - lr_ * buf
        else:
            params = params - lr_ * (g / denom)
        return params, RMSpropState(state.step + 1, v, g_avg, buf)

    hp = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered)
    return Optimizer("rmsprop", hp, init, update)


# --------------------------------------------------------------------------- Adam family

class AdamState(NamedTuple):
    step: int
    exp_avg: Array
    exp_avg_sq: Array
    max_exp_avg_sq: Array


def _adam(key: str, lr, betas, eps, weight_decay, amsgrad, decoupled: bool) -> Optimizer:
    lr = check.learning_rate(lr)
    beta1, beta2 = check.betas(betas)
    eps = check.positive("eps", eps)
    weight_decay = check.non_negative("weight_decay", weight_decay)
    amsgrad = check.flag("amsgrad", amsgrad)

    lr_ = rows(lr)

    def init(params: Array) -> AdamState:
        check.per_particle(lr, params)
        zeros = np.zeros_like(params, dtype=float)
        return AdamState(0, zeros, zeros, zeros)

    def update(params: Array, grads: Array, state: AdamState):
        # In-place arithmetic on fresh arrays, in torch's operation order: the same
        # numbers as the formula, with fewer temporaries (this is the hot loop).
        t = state.step + 1
        g = grads
        if weight_decay and decoupled:
            params = params * (1.0 - lr_ * weight_decay)
        elif weight_decay:
            g = g + weight_decay * params
        m = g - state.exp_avg
        m *= 1.0 - beta1
        m += state.exp_avg
        v = (1.0 - beta2) * g
        v *= g
        v += beta2 * state.exp_avg_sq
        v_max = np.maximum(state.max_exp_avg_sq, v) if amsgrad else state.max_exp_avg_sq
        denom = np.sqrt(v_max if amsgrad else v)
        denom /= (1.0 - beta2**t) ** 0.5
        denom += eps
        step = np.divide(m, denom)
        step *= lr_ / (1.0 - beta1**t)
        return np.subtract(params, step, out=step), AdamState(t, m, v, v_max)

    hp = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    return Optimizer(key, hp, init, update)


def adam(*, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
         amsgrad: bool = False) -> Optimizer:
    """torch.optim.Adam. With g = ∇f(θ) + λθ (L2 penalty folded into the gradient), step t ≥ 1:

        m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²       (m₀ = v₀ = 0)
        v̂ ← max(v̂, v) if amsgrad, else v̂ = v
        θ ← θ − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
    """
    return _adam("adam", lr, betas, eps, weight_decay, amsgrad, decoupled=False)


def adamw(*, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
          amsgrad: bool = False) -> Optimizer:
    """torch.optim.AdamW: Adam on g = ∇f(θ) with the decay decoupled from the gradient,
    applied to the parameters first:  θ ← θ·(1 − lr·λ), then the Adam step above."""
    return _adam("adamw", lr, betas, eps, weight_decay, amsgrad, decoupled=True)
