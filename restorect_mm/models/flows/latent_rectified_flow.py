"""Conditional latent rectified flow (the paper's prior generator, arXiv
2509.23480; the reference code's discrete-time form by default).

A rectified flow in a vector space (RestoRect: the 256-d prior space),
conditioned on a vector c computed by a condition net from the degraded
input. Convention: t = 0 is data (the teacher prior z*), t = 1 is noise.

Training (as the reference code does it): k ~ U{0..T-1}, t = k / (T - 1),
eps ~ N(0, I), ``x_t = (1 - t) z* + t eps``, target ``u = eps - z*``, MSE
of v(x_t, t_in, c) against u. The velocity net sees ``t_in = k / (10 T)``
(``time_input='index'``, the reference) or ``t_in = t`` with t ~ U[0, 1]
(``'continuous'``).

Sampling (the reference's Euler loop): from x = eps over N steps of
dt = 1/N; step i is at t = 1 - i dt, uses k = floor(t (T - 1)) in index
mode and ``x <- x - dt v(x, t_in, c)``. N = 4 gives k = [3, 2, 1, 0] (the
default, the paper's 4 steps), N = 5 the reference code's [3, 2, 1, 1, 0]
(``num_steps=5``).
"""
from contextlib import nullcontext
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from restorect_mm.registry import MODELS

TIME_INPUTS = ('index', 'continuous')
CondInput = Union[torch.Tensor, Sequence[torch.Tensor]]


def _build(cfg: Union[dict, nn.Module]) -> nn.Module:
    return cfg if isinstance(cfg, nn.Module) else MODELS.build(cfg)


def _draw(fn, shape: Sequence[int], device: torch.device, dtype: torch.dtype,
          generator: Optional[torch.Generator]) -> torch.Tensor:
    # Drawn in float32 on the generator's device (so a CPU generator serves
    # CUDA tensors and a seed gives the same numbers everywhere), then moved.
    if generator is not None and torch.jit.is_tracing():
        # a trace (MAC counting) records the op, not the seed, and torch
        # 2.1's tracer cannot take a Generator argument at all
        generator = None
    gen_device = generator.device if generator is not None else device
    out = fn(tuple(shape), generator=generator, device=gen_device,
             dtype=torch.float32)
    return out.to(device=device, dtype=dtype)


def draw_normal(shape: Sequence[int], device: torch.device,
                dtype: torch.dtype,
                generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """Standard normal noise of ``shape`` on ``device`` with ``dtype``."""
    return _draw(torch.randn, shape, device, dtype, generator)


def draw_uniform(shape: Sequence[int], device: torch.device,
                 dtype: torch.dtype,
                 generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """U[0, 1) samples of ``shape`` on ``device`` with ``dtype``."""
    return _draw(torch.rand, shape, device, dtype, generator)


def draw_index(batch: int, timesteps: int, device: torch.device,
               generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """Grid indices k ~ U{0, ..., timesteps - 1}, shape (B, ), int64."""
    gen_device = generator.device if generator is not None else device
    k = torch.randint(
        0, timesteps, (batch, ), generator=generator, device=gen_device)
    return k.to(device)


@MODELS.register_module()
class ConditionalLatentRectifiedFlow(BaseModule):
    """Rectified flow over vectors, conditioned on a condition net's output.

    Holds a condition net (any module mapping ``cond_input`` to c (B, C))
    and a velocity net (any module called as ``velocity_net(x, t_in, c)``,
    e.g. :class:`VelocityPredictor`).

    Args:
        velocity_net (dict | nn.Module): Config or module of the velocity
            net.
        condition_net (dict | nn.Module): Config or module of the condition
            net, e.g. ``ImagePriorEncoder(in_images=1,
            final_norm='layernorm')``.
        timesteps (int): T, size of the training time grid t_k = k / (T - 1).
            Defaults to 4.
        num_steps (int): Default number N of Euler steps. Defaults to 4.
        time_input (str): 'index' (t_in = k / (10 T), reference) or
            'continuous' (t ~ U[0, 1] in training, t_in = t). Defaults to
            'index'.
        grad_through_sampler (bool): Keep the autograd graph through the
            Euler loop, so that losses on the sampled prior train the
            condition and velocity nets (the paper's intent). False runs
            the sampler under ``no_grad``, as the reference code does.
            Defaults to True.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 velocity_net: Union[dict, nn.Module],
                 condition_net: Union[dict, nn.Module],
                 timesteps: int = 4,
                 num_steps: int = 4,
                 time_input: str = 'index',
                 grad_through_sampler: bool = True,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if timesteps < 2:
            raise ValueError(f'timesteps must be >= 2, got {timesteps}')
        if num_steps < 1:
            raise ValueError(f'num_steps must be >= 1, got {num_steps}')
        if time_input not in TIME_INPUTS:
            raise ValueError(f'time_input must be one of {TIME_INPUTS}, '
                             f'got {time_input!r}')
        self.velocity_net = _build(velocity_net)
        self.condition_net = _build(condition_net)
        self.timesteps = timesteps
        self.num_steps = num_steps
        self.time_input = time_input
        self.grad_through_sampler = grad_through_sampler

    # ------------------------------------------------------------ schedule --
    def _steps(self, num_steps: Optional[int]) -> int:
        n = self.num_steps if num_steps is None else int(num_steps)
        if n < 1:
            raise ValueError(f'num_steps must be >= 1, got {n}')
        return n

    def time_grid(self, num_steps: Optional[int] = None) -> List[float]:
        """Times t_i = 1 - i / N of the Euler steps, i = 0..N-1."""
        n = self._steps(num_steps)
        return [(n - i) / n for i in range(n)]

    def index_sequence(self, num_steps: Optional[int] = None) -> List[int]:
        """Grid indices k_i = floor(t_i (T - 1)) of the Euler steps.

        Computed in integers, so exact: N = 4 -> [3, 2, 1, 0],
        N = 5 -> [3, 2, 1, 1, 0] for T = 4.
        """
        n = self._steps(num_steps)
        last = self.timesteps - 1
        return [min((n - i) * last // n, last) for i in range(n)]

    def sampler_time_inputs(self,
                            num_steps: Optional[int] = None) -> List[float]:
        """The t_in the velocity net sees at each Euler step: k_i / (10 T)
        in index mode, t_i in continuous mode."""
        if self.time_input == 'index':
            return [k / (10 * self.timesteps)
                    for k in self.index_sequence(num_steps)]
        return self.time_grid(num_steps)

    # ------------------------------------------------------------ training --
    def condition(self, cond_input: CondInput) -> torch.Tensor:
        """c = condition_net(cond_input), (B, C); a list or tuple of tensors
        is passed as positional arguments."""
        if isinstance(cond_input, (list, tuple)):
            return self.condition_net(*cond_input)
        return self.condition_net(cond_input)

    def velocity_pair(self,
                      z_star: torch.Tensor,
                      cond: torch.Tensor,
                      generator: Optional[torch.Generator] = None,
                      k: Optional[Union[int, torch.Tensor]] = None,
                      t: Optional[Union[float, torch.Tensor]] = None,
                      noise: Optional[torch.Tensor] = None
                      ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Flow matching on given condition vectors: the predicted velocity
        at a random point of the straight path and the velocity of the path.
        The velocity loss (an MSE between the two, in the editor) is a
        registered loss like every other term.

        Args:
            z_star (Tensor): Data (teacher priors) (B, D).
            cond (Tensor): Condition vectors (B, C).
            generator (torch.Generator, optional): Source of k / t and eps.
            k (int | Tensor, optional): Fix the grid index (index mode),
                a number or (B, ); drawn when None.
            t (float | Tensor, optional): Fix the time (continuous mode),
                a number or (B, ); drawn when None.
            noise (Tensor, optional): Fix eps (B, D); drawn when None.

        Returns:
            tuple[Tensor, Tensor]: v(x_t, t_in, c) and its target
            eps - z*, both (B, D), in z*'s dtype (float32 at least).
        """
        # float32 at least, even when the targets come from autocast
        z_star = z_star.to(torch.promote_types(z_star.dtype, torch.float32))
        batch = z_star.shape[0]
        if self.time_input == 'index':
            if k is None:
                k = draw_index(batch, self.timesteps, z_star.device,
                               generator)
            k = torch.as_tensor(k, device=z_star.device).expand(batch)
            k = k.to(z_star.dtype)
            t = k / (self.timesteps - 1)
            t_in = k / (10 * self.timesteps)
        else:
            if t is None:
                t = draw_uniform((batch, ), z_star.device, z_star.dtype,
                                 generator)
            t = torch.as_tensor(
                t, dtype=z_star.dtype, device=z_star.device).expand(batch)
            t_in = t
        if noise is None:
            noise = draw_normal(z_star.shape, z_star.device, z_star.dtype,
                                generator)
        t = t[:, None]
        x_t = (1 - t) * z_star + t * noise
        target = noise - z_star
        v = self.velocity_net(x_t, t_in[:, None], cond)
        return v.to(z_star.dtype), target

    # ------------------------------------------------------------ sampling --
    def sample(self,
               cond: torch.Tensor,
               num_steps: Optional[int] = None,
               generator: Optional[torch.Generator] = None,
               noise: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Euler integration from noise (t = 1) to data (t = 0).

        Runs under ``no_grad`` when ``grad_through_sampler`` is False.

        Args:
            cond (Tensor): Condition vectors (B, C).
            num_steps (int, optional): N; defaults to ``self.num_steps``.
            generator (torch.Generator, optional): Source of the start noise.
            noise (Tensor, optional): Start state (B, D); drawn when None
                (D is the velocity net's ``state_dim``, else C).

        Returns:
            Tensor: The sample (B, D), float32 (or float64 for float64 c),
            whatever autocast does to the velocity net.
        """
        dtype = torch.promote_types(cond.dtype, torch.float32)
        if noise is None:
            dim = getattr(self.velocity_net, 'state_dim', cond.shape[1])
            noise = draw_normal((cond.shape[0], dim), cond.device, dtype,
                                generator)
        grad = nullcontext() if self.grad_through_sampler else torch.no_grad()
        n = self._steps(num_steps)
        dt = 1.0 / n
        x = noise.to(device=cond.device, dtype=dtype)
        with grad:
            for t_in in self.sampler_time_inputs(n):
                t_col = x.new_full((x.shape[0], 1), t_in)
                v = self.velocity_net(x, t_col, cond)
                x = x - dt * v.to(dtype)
        return x

    def forward(self,
                cond_input: CondInput,
                num_steps: Optional[int] = None,
                generator: Optional[torch.Generator] = None,
                z_star: Optional[torch.Tensor] = None
                ) -> Dict[str, torch.Tensor]:
        """Sample a prior from the condition input; with the teacher prior
        ``z_star`` (training), also the flow-matching velocity pair. The
        condition vectors are computed once and serve both.

        Args:
            cond_input (Tensor | Sequence[Tensor]): Condition net input(s),
                e.g. the LQ image (B, 3, H, W).
            num_steps (int, optional): Euler steps N.
            generator (torch.Generator, optional): Noise source (first the
                training k / t and eps, then the sampler's start noise).
            z_star (Tensor, optional): Data (teacher priors) (B, D).

        Returns:
            dict: ``z_hat`` (B, D) the sampled prior (with graph when
            ``grad_through_sampler``), ``cond`` (B, C) the condition
            vectors; with ``z_star`` also ``velocity`` and
            ``velocity_target`` (B, D) (:meth:`velocity_pair`).
        """
        cond = self.condition(cond_input)
        out = dict(cond=cond)
        if z_star is not None:
            out['velocity'], out['velocity_target'] = self.velocity_pair(
                z_star, cond, generator)
        out['z_hat'] = self.sample(cond, num_steps, generator)
        return out
