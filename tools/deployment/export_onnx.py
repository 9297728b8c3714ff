"""Export the standalone RestoRect student to ONNX and check it against PyTorch.

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT OUT.onnx
        [--steps 4] [--shape H W] [--check-images a.png b.jpg ...]

The graph is the whole inference of ``RestoRectStudent``: D_low, both
condition encoders, the N Euler steps of both prior samplers unrolled (N from
``--steps``, fixed in the graph) and G. The samplers start from Gaussian
noise, so the start noise is an explicit input and the graph is
deterministic:

    inputs : lq (1, 3, H, W) RGB in [0, 1], H and W multiples of 8
             (reflection-pad other sizes, e.g. as restorect_mm.apis does);
             noise_rex, noise_img (1, 4 * n_feats) standard normal
    output : restored (1, 3, H, W) RGB in [0, 1]

H and W are dynamic axes (any multiple of 8) unless ``--shape`` fixes them.
The check restores real photos (scikit-image's, or ``--check-images``) with
``RestoRectStudent.restore`` (seeded) and with onnxruntime fed the same
noise, prints the max abs difference and exits non-zero above ``--atol``.
"""
import argparse
import inspect
import os.path as osp
import sys

import numpy as np
import torch
import torch.nn as nn

import restorect_mm  # noqa: F401  (compatibility fixes, registration)
from restorect_mm.apis import ImageReadError, build_model, read_image
from restorect_mm.engine.checkpoint_io import CheckpointError
from restorect_mm.models.editors.restorect_student import RestoRectStudent
from restorect_mm.models.flows.latent_rectified_flow import draw_normal
from restorect_mm.models.rgformer import pad_to_multiple
from restorect_mm.utils.cli import ToolError

OPSET = 17  # first opset with LayerNormalization
SIZE_MULTIPLE = 8
SKIMAGE_PHOTOS = ('astronaut', 'coffee', 'chelsea')


def layer_norm_symbolic(g, x, normalized_shape, weight, bias, eps,
                        cudnn_enable):
    """ONNX LayerNormalization for ``F.layer_norm(z, z.shape[-1:])``.

    The encoders' parameter-free LayerNorm takes its normalised shape from
    the tensor, which the TorchScript exporter records as a non-constant
    list once axes are dynamic, and its stock symbolic then refuses; the
    list's *length* (the number of normalised axes) is all ONNX needs.
    """
    from torch.onnx import symbolic_helper as helper
    if helper._is_constant(normalized_shape):
        axes = len(helper._maybe_get_const(normalized_shape, 'is'))
    else:
        axes = len(helper._unpack_list(normalized_shape))
    if helper._is_none(weight):  # ONNX needs a scale: ones of the shape
        shape = g.op('Shape', x, start_i=-axes)
        weight = g.op('CastLike', g.op('ConstantOfShape', shape,
                                       value_t=torch.tensor([1.0])), x)
    inputs = [x, weight] if helper._is_none(bias) else [x, weight, bias]
    return g.op('LayerNormalization', *inputs, axis_i=-axes,
                epsilon_f=helper._maybe_get_const(eps, 'f'))


class UnrolledStudent(nn.Module):
    """RestoRectStudent with explicit start noise and N fixed Euler steps.

    Args:
        student (RestoRectStudent): the model.
        num_steps (int): Euler steps, unrolled when traced.
    """

    def __init__(self, student: RestoRectStudent, num_steps: int):
        super().__init__()
        self.student = student
        self.num_steps = num_steps
        preprocessor = student.data_preprocessor
        self.register_buffer('mean', preprocessor.mean.view(1, -1, 1, 1))
        self.register_buffer('std', preprocessor.std.view(1, -1, 1, 1))

    def forward(self, lq: torch.Tensor, noise_rex: torch.Tensor,
                noise_img: torch.Tensor) -> torch.Tensor:
        """Restore.

        Args:
            lq (Tensor): (1, 3, H, W) RGB in [0, 1], H, W multiples of 8.
            noise_rex (Tensor): (1, D) start of the z_rex sampler.
            noise_img (Tensor): (1, D) start of the z_img sampler.

        Returns:
            Tensor: (1, 3, H, W) RGB in [0, 1].
        """
        x = (lq * 255.0 - self.mean) / self.std
        r_lq, l_lq = self.student.decom_low(x)
        flows = self.student.prior_flows
        z_rex = flows.rex.sample(
            flows.rex.condition(torch.cat([r_lq, l_lq], 1)), self.num_steps,
            noise=noise_rex)
        z_img = flows.img.sample(flows.img.condition(x), self.num_steps,
                                 noise=noise_img)
        restored = self.student.generator(x, z_rex, z_img)
        return ((restored * self.std + self.mean) / 255.0).clamp(0, 1)


def start_noise(student: RestoRectStudent, seed: int):
    """The start noise ``RestoRectStudent.restore`` draws for one image with
    ``seed``: z_rex's first, then z_img's, from one seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    noises = []
    for flow in (student.prior_flows.rex, student.prior_flows.img):
        dim = flow.velocity_net.state_dim
        noises.append(draw_normal((1, dim), torch.device('cpu'),
                                  torch.float32, generator))
    return noises


def export(wrapper: UnrolledStudent, out: str, shape, seed: int):
    """Trace ``wrapper`` into ``out`` (TorchScript exporter, opset 17)."""
    height, width = shape or (64, 64)
    example = (torch.rand(1, 3, height, width),
               *start_noise(wrapper.student, seed))
    dynamic = None if shape else {
        'lq': {2: 'height', 3: 'width'},
        'restored': {2: 'height', 3: 'width'}
    }
    torch.onnx.register_custom_op_symbolic('aten::layer_norm',
                                           layer_norm_symbolic, OPSET)
    # torch >= 2.5 has a second (dynamo) exporter; the graph is traced with
    # the TorchScript one, the only exporter older torch has
    legacy = ({'dynamo': False} if 'dynamo' in inspect.signature(
        torch.onnx.export).parameters else {})
    with torch.no_grad():
        torch.onnx.export(
            wrapper, example, out, opset_version=OPSET, **legacy,
            input_names=['lq', 'noise_rex', 'noise_img'],
            output_names=['restored'], dynamic_axes=dynamic)
    import onnx
    onnx.checker.check_model(onnx.load(out))


def check_images(paths):
    """(name, (1, 3, H, W) RGB in [0, 1]) for the check; scikit-image's
    photos when no paths are given."""
    if not paths:
        import skimage.data
        for name in SKIMAGE_PHOTOS:
            rgb = getattr(skimage.data, name)().astype(np.float32) / 255.0
            yield name, torch.from_numpy(rgb).permute(2, 0, 1)[None]
        return
    for path in paths:
        rgb, _ = read_image(path)
        yield path, torch.from_numpy(rgb).permute(2, 0, 1)[None]


def compare(student, wrapper, onnx_file, images, seed, shape):
    """Max abs difference of ONNX Runtime vs ``student.restore`` per image.

    Returns:
        list[tuple[str, float]]: name and max abs difference in [0, 1].
    """
    import onnxruntime
    session = onnxruntime.InferenceSession(
        onnx_file, providers=['CPUExecutionProvider'])
    noise_rex, noise_img = start_noise(student, seed)
    results = []
    for name, image in images:
        if shape:  # a fixed graph: resize the photo to its shape
            image = torch.nn.functional.interpolate(
                image, size=tuple(shape), mode='area')
        image = pad_to_multiple(image, SIZE_MULTIPLE)
        with torch.no_grad():
            # the real inference path, noise drawn by the model itself
            lq = (image * 255.0 - wrapper.mean) / wrapper.std
            expected = student.restore(lq, seed=seed)
            expected = ((expected * wrapper.std + wrapper.mean) /
                        255.0).clamp(0, 1)
        got = session.run(None, dict(lq=image.numpy(),
                                     noise_rex=noise_rex.numpy(),
                                     noise_img=noise_img.numpy()))[0]
        results.append((name, float(np.abs(got - expected.numpy()).max())))
    return results


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='standalone student config')
    parser.add_argument('checkpoint', help='student weights file')
    parser.add_argument('out', help='ONNX file to write')
    parser.add_argument('--steps', type=int,
                        help="Euler steps unrolled (default: the config's)")
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='fix the input size (multiples of 8) instead of '
                        'dynamic H/W axes')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the check noise')
    parser.add_argument('--check-images', nargs='*', default=None,
                        help="images for the check (default: scikit-image's "
                        'photos)')
    parser.add_argument('--atol', type=float, default=1e-3,
                        help='largest accepted max abs difference')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise ToolError(f'config file not found: {args.config}')
    if args.shape and any(s % SIZE_MULTIPLE or s <= 0 for s in args.shape):
        raise ToolError(f'--shape {args.shape}: give positive multiples of '
                        f'{SIZE_MULTIPLE}')
    if args.steps is not None and args.steps < 1:
        raise ToolError(f'--steps must be >= 1, got {args.steps}')
    try:
        student = build_model(args.config, args.checkpoint,
                              torch.device('cpu'))
    except CheckpointError as exc:
        raise ToolError(str(exc)) from exc
    if not isinstance(student, RestoRectStudent):
        raise ToolError(
            f'{args.config} builds {type(student).__name__}; export_onnx.py '
            'exports the standalone student (RestoRectStudent), e.g. '
            'configs/restorect_student_inference.py')
    steps = args.steps or student.num_steps
    student.num_steps = steps  # the PyTorch reference uses the same N
    wrapper = UnrolledStudent(student, steps).eval()
    export(wrapper, args.out, args.shape, args.seed)
    size = ('H x W = {} x {}'.format(*args.shape)
            if args.shape else 'dynamic H, W (multiples of 8)')
    print(f'exported {args.out} ({steps} Euler steps unrolled, {size})')
    try:
        results = compare(student, wrapper, args.out,
                          check_images(args.check_images), args.seed,
                          args.shape)
    except ImageReadError as exc:
        raise ToolError(str(exc)) from exc
    worst = max(diff for _, diff in results)
    for name, diff in results:
        print(f'  {name}: max abs diff {diff:.3g}')
    print(f'max abs difference ONNX Runtime vs PyTorch: {worst:.3g} '
          f'(limit {args.atol:g})')
    if worst > args.atol:
        sys.exit(f'error: ONNX output differs from PyTorch by {worst:.3g} > '
                 f'{args.atol:g}; the export is not faithful')


if __name__ == '__main__':
    main()
