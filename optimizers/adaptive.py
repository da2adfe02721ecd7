"""More of torch.optim, exactly: Adagrad, Adadelta, Adamax, NAdam, RAdam and Rprop.

Each follows torch 2.13's single-tensor code path (``torch/optim/<name>.py``,
``_single_tensor_<name>``), operation by operation, with torch's hyperparameter names and
defaults; ``maximize``, ``foreach``, ``capturable``, ``differentiable`` and ``fused``
change nothing for 2-D float parameters and are left out. Checks are torch's, in our
style (a ValueError naming the field and echoing the value); where torch accepts a value
that only yields 0/0 or no step at all (lr = 0, eps = 0) we ask for > 0, as ``rules`` does.

Arrays are (n, 2), one row per particle, all operations element-wise, so each row is
one torch parameter tensor of shape (2,). ``lr`` may be an (n,) array, one per particle.
g is ∇f(θ), + λθ when weight_decay λ > 0 (the L2 penalty, unless decoupled).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import validation as check
from .rules import Optimizer, rows

Array = np.ndarray


def _lerp(start: Array, end: Array, weight: float) -> Array:
    """torch.lerp's formula: start + w·(end − start) for |w| < ½, else end − (end − start)·(1 − w)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def _l2(grads: Array, params: Array, weight_decay: float) -> Array:
    return grads + weight_decay * params if weight_decay != 0 else grads


def _zeros(params: Array) -> Array:
    return np.zeros_like(params, dtype=float)


# --------------------------------------------------------------------------- Adagrad

class AdagradState(NamedTuple):
    step: int
    sum: Array


def adagrad(*, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
            initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> Optimizer:
    """torch.optim.Adagrad. At step t ≥ 1, element-wise:

        s ← s + g²                          (s₀ = initial_accumulator_value)
        θ ← θ − lr/(1 + (t − 1)·lr_decay) · g / (√s + ε)
    """
    lr = check.learning_rate(lr)
    lr_decay = check.non_negative("lr_decay", lr_decay)
    weight_decay = check.non_negative("weight_decay", weight_decay)
    initial = check.non_negative("initial_accumulator_value", initial_accumulator_value)
    eps = check.positive("eps", eps)
    lr_ = rows(lr)

    def init(params: Array) -> AdagradState:
        check.per_particle(lr, params)
        return AdagradState(0, np.full_like(params, initial, dtype=float))

    def update(params: Array, grads: Array, state: AdagradState):
        t = state.step + 1
        g = _l2(grads, params, weight_decay)
        clr = lr_ / (1 + (t - 1) * lr_decay)
        s = state.sum + g * g
        std = np.sqrt(s) + eps
        return params + -clr * g / std, AdagradState(t, s)

    hp = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, initial_accumulator_value=initial, eps=eps)
    return Optimizer("adagrad", hp, init, update)


# --------------------------------------------------------------------------- Adadelta

class AdadeltaState(NamedTuple):
    step: int
    square_avg: Array
    acc_delta: Array


def adadelta(*, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0) -> Optimizer:
    """torch.optim.Adadelta. Element-wise, with v₀ = u₀ = 0:

        v ← ρ·v + (1 − ρ)·g²
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρ·u + (1 − ρ)·Δ²
        θ ← θ − lr·Δ
    """
    lr = check.learning_rate(lr)
    rho = check.unit_interval("rho", rho, closed=True)
    eps = check.positive("eps", eps)
    weight_decay = check.non_negative("weight_decay", weight_decay)
    lr_ = rows(lr)

    def init(params: Array) -> AdadeltaState:
        check.per_particle(lr, params)
        return AdadeltaState(0, _zeros(params), _zeros(params))

    def update(params: Array, grads: Array, state: AdadeltaState):
        g = _l2(grads, params, weight_decay)
        v = state.square_avg * rho + (1 - rho) * g * g
        std = np.sqrt(v + eps)
        delta = np.sqrt(state.acc_delta + eps) / std * g
        u = state.acc_delta * rho + (1 - rho) * delta * delta
        return params + -lr_ * delta, AdadeltaState(state.step + 1, v, u)

    hp = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
    return Optimizer("adadelta", hp, init, update)


# --------------------------------------------------------------------------- Adamax

class AdamaxState(NamedTuple):
    step: int
    exp_avg: Array
    exp_inf: Array


def adamax(*, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0) -> Optimizer:
    """torch.optim.Adamax (Adam with the infinity norm). Element-wise, m₀ = u₀ = 0, step t ≥ 1:

        m ← β₁·m + (1 − β₁)·g
        u ← max(β₂·u, |g| + ε)
        θ ← θ − lr/(1 − β₁ᵗ) · m / u
    """
    lr = check.learning_rate(lr)
    beta1, beta2 = check.betas(betas)
    eps = check.positive("eps", eps)
    weight_decay = check.non_negative("weight_decay", weight_decay)
    lr_ = rows(lr)

    def init(params: Array) -> AdamaxState:
        check.per_particle(lr, params)
        return AdamaxState(0, _zeros(params), _zeros(params))

    def update(params: Array, grads: Array, state: AdamaxState):
        t = state.step + 1
        g = _l2(grads, params, weight_decay)
        m = _lerp(state.exp_avg, g, 1 - beta1)
        u = np.maximum(state.exp_inf * beta2, np.abs(g) + eps)
        clr = lr_ / (1 - beta1**t)
        return params + -clr * m / u, AdamaxState(t, m, u)

    hp = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
    return Optimizer("adamax", hp, init, update)


# --------------------------------------------------------------------------- NAdam

class NAdamState(NamedTuple):
    step: int
    exp_avg: Array
    exp_avg_sq: Array
    mu_product: float


def nadam(*, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
          momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False) -> Optimizer:
    """torch.optim.NAdam (Adam with Nesterov momentum, Dozat 2016). Step t ≥ 1, ψ = momentum_decay:

        μₜ = β₁·(1 − ½·0.96^(t·ψ)),   Πₜ = μ₁·μ₂·…·μₜ
        m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
        d = √(v / (1 − β₂ᵗ)) + ε
        θ ← θ − lr·(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/d

    With decoupled_weight_decay (NAdamW) g = ∇f(θ) and θ ← θ·(1 − lr·λ) first. Π is kept in
    float64 (torch keeps it in its default dtype).
    """
    lr = check.learning_rate(lr)
    beta1, beta2 = check.betas(betas)
    eps = check.positive("eps", eps)
    weight_decay = check.non_negative("weight_decay", weight_decay)
    momentum_decay = check.non_negative("momentum_decay", momentum_decay)
    decoupled = check.flag("decoupled_weight_decay", decoupled_weight_decay)
    lr_ = rows(lr)

    def init(params: Array) -> NAdamState:
        check.per_particle(lr, params)
        return NAdamState(0, _zeros(params), _zeros(params), 1.0)

    def update(params: Array, grads: Array, state: NAdamState):
        t = state.step + 1
        bias_correction2 = 1 - beta2**t
        g = grads
        if weight_decay != 0 and decoupled:
            params = params * (1 - lr_ * weight_decay)
        elif weight_decay != 0:
            g = grads + weight_decay * params
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))
        mu_product = state.mu_product * mu
        m = _lerp(state.exp_avg, g, 1 - beta1)
        v = state.exp_avg_sq * beta2 + (1 - beta2) * g * g
        denom = np.sqrt(v / bias_correction2) + eps
        mu_product_next = mu_product * mu_next
        params = params + (-lr_ * (1.0 - mu) / (1.0 - mu_product)) * g / denom
        params = params + ((-lr_ * mu_next) / (1.0 - mu_product_next)) * m / denom
        return params, NAdamState(t, m, v, mu_product)

    hp = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
              decoupled_weight_decay=decoupled)
    return Optimizer("nadam", hp, init, update)


# --------------------------------------------------------------------------- RAdam

class RAdamState(NamedTuple):
    step: int
    exp_avg: Array
    exp_avg_sq: Array


def radam(*, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
          decoupled_weight_decay: bool = False) -> Optimizer:
    """torch.optim.RAdam (rectified Adam, Liu et al. 2020). Step t ≥ 1:

        m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
        ρ∞ = 2/(1 − β₂) − 1,   ρₜ = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
        rₜ = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
        θ ← θ − lr·m/(1 − β₁ᵗ) · √(1 − β₂ᵗ)/(√v + ε) · rₜ     if ρₜ > 5
        θ ← θ − lr·m/(1 − β₁ᵗ)                               otherwise (the warm-up: SGD with momentum)

    With decoupled_weight_decay (RAdamW) g = ∇f(θ) and θ ← θ·(1 − lr·λ) first.
    """
    lr = check.learning_rate(lr)
    beta1, beta2 = check.betas(betas)
    eps = check.positive("eps", eps)
    weight_decay = check.non_negative("weight_decay", weight_decay)
    decoupled = check.flag("decoupled_weight_decay", decoupled_weight_decay)
    lr_ = rows(lr)

    def init(params: Array) -> RAdamState:
        check.per_particle(lr, params)
        return RAdamState(0, _zeros(params), _zeros(params))

    def update(params: Array, grads: Array, state: RAdamState):
        t = state.step + 1
        g = grads
        if weight_decay != 0 and decoupled:
            params = params * (1 - lr_ * weight_decay)
        elif weight_decay != 0:
            g = grads + weight_decay * params
        m = _lerp(state.exp_avg, g, 1 - beta1)
        v = state.exp_avg_sq * beta2 + (1 - beta2) * g * g
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        m_hat = m / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = (bias_correction2**0.5) / (np.sqrt(v) + eps)
            step = m_hat * lr_ * adaptive * rect
        else:
            step = m_hat * lr_
        return params + -1.0 * step, RAdamState(t, m, v)

    hp = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay, decoupled_weight_decay=decoupled)
    return Optimizer("radam", hp, init, update)


# --------------------------------------------------------------------------- Rprop

class RpropState(NamedTuple):
    step: int
    prev: Array
    step_size: Array


def _etas(value) -> tuple[float, float]:
    rule = "must be a pair (etaminus, etaplus) with 0 < etaminus < 1 < etaplus"
    a, b = check.pair("etas", value, rule)
    a = check._real("etas[0]", a, "in (0, 1)")
    b = check._real("etas[1]", b, "> 1")
    if not 0.0 < a < 1.0 < b:
        raise ValueError(f"Invalid etas={check.show(value)}: {rule}")
    return a, b


def _step_sizes(value) -> tuple[float, float]:
    rule = "must be a pair (min, max) of step sizes with 0 <= min <= max"
    a, b = check.pair("step_sizes", value, rule)
    a = check.non_negative("step_sizes[0]", a)
    b = check.non_negative("step_sizes[1]", b)
    if a > b:
        raise ValueError(f"Invalid step_sizes={check.show(value)}: {rule}")
    return a, b


def rprop(*, lr: float = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)) -> Optimizer:
    """torch.optim.Rprop (resilient backprop). Each coordinate has its own step size δ
    (δ₀ = lr) and remembers its last gradient g' (g'₀ = 0); with (η₋, η₊) = etas:

        δ ← clip(δ·η₊, min, max)  if g·g' > 0,  clip(δ·η₋, min, max)  if g·g' < 0,  δ else
        g ← 0                      where g·g' < 0 (after a sign change, no step this time)
        θ ← θ − sign(g)·δ,   g' ← g

    Only the gradient's sign is used; lr is only the first step size.
    """
    lr = check.learning_rate(lr)
    etaminus, etaplus = _etas(etas)
    step_min, step_max = _step_sizes(step_sizes)

    def init(params: Array) -> RpropState:
        check.per_particle(lr, params)
        step_size = np.empty_like(params, dtype=float)
        step_size[...] = rows(lr)
        return RpropState(0, _zeros(params), step_size)

    def update(params: Array, grads: Array, state: RpropState):
        sign = np.sign(grads * state.prev)
        factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0))
        step_size = np.clip(state.step_size * factor, step_min, step_max)
        g = np.where(sign < 0, 0.0, grads)
        return params + -1 * np.sign(g) * step_size, RpropState(state.step + 1, g, step_size)

    hp = dict(lr=lr, etas=(etaminus, etaplus), step_sizes=(step_min, step_max))
    return Optimizer("rprop", hp, init, update)
