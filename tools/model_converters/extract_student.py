"""Extract the standalone student (RestoRectStudent) from a stage-2 distiller
checkpoint into a weights-only file, ``<out stem>-<sha256[:8]>.pth``, and a
copy under the stable name ``<out stem>.pth``.

    python tools/model_converters/extract_student.py \\
        work_dirs/restorect_student/iter_240000.pth \\
        work_dirs/restorect_student/restorect-student.pth
    python tools/test.py configs/restorect_student_inference.py \\
        work_dirs/restorect_student/restorect-student.pth

As ``tools/publish_model.py``: the hashed file is the one to share, the
stable name (an atomically written copy, replaced on each extraction) is the
one commands can name; ``out`` may not name the input checkpoint. Prints the
stable path, then the hashed file's path alone on the last line.

Keeps ``generator.*`` (without the auxiliary Retinex head, which inference
does not use), ``prior_flows.*`` and ``decom_low.*``: no teacher, no D_high.
A student without priors (an MMagic generator such as NAFNet, distilled with
``student_uses_priors=False``) keeps ``generator.*`` only: the weights of an
MMagic ``BaseEditModel`` (e.g.
``configs/demo/restorect-student-nafnet-inference_demo.py``). By default the
EMA weights (what MMEngine's EMAHook stores in ``state_dict``).
"""
import argparse
import os.path as osp
import sys

import restorect_mm  # noqa: F401
from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                               read_training_checkpoint,
                                               select_weights)
from restorect_mm.version import __version__

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from publish_model import (check_out, print_published,  # noqa: E402
                           save_published)

KEEP = ('generator.', 'prior_flows.', 'decom_low.')
DROP = ('generator.retinex_head.', )


def student_state(state, source):
    """The inference graph's tensors from a distiller state dict.

    Returns:
        tuple[dict, str]: the tensors, and the model they are for
        ('RestoRectStudent', or 'BaseEditModel' for a student without
        priors).
    """
    kept = {
        k: v
        for k, v in state.items()
        if k.startswith(KEEP) and not k.startswith(DROP)
    }
    if any(k.startswith('prior_flows.') for k in kept):
        return kept, 'RestoRectStudent'
    # a distiller whose student takes no priors has no flows, but a teacher
    if any(k.startswith('teacher_generator.') for k in state):
        generator = {k: v for k, v in kept.items()
                     if k.startswith('generator.')}
        if generator:
            return generator, 'BaseEditModel'
    raise CheckpointError(
        f'{source} holds neither prior_flows.* nor teacher_generator.* '
        'weights: it is not a RestoRectDistiller (stage-2) checkpoint.')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='stage-2 training checkpoint')
    parser.add_argument(
        'out', help='output file: the hash is appended for the file to share, '
        'and <out stem>.pth is replaced by a copy (the stable name)')
    parser.add_argument('--weights', choices=['ema', 'raw'], default='ema')
    args = parser.parse_args(argv)
    try:
        check_out(args.checkpoint, args.out)
        checkpoint = read_training_checkpoint(args.checkpoint)
        state, model = student_state(
            select_weights(checkpoint, args.weights, args.checkpoint),
            args.checkpoint)
        meta = dict(source=osp.basename(args.checkpoint),
                    weights=args.weights, model=model,
                    restorect_mm_version=__version__)
        final, stable = save_published(state, meta, args.out, args.checkpoint)
    except CheckpointError as exc:
        sys.exit(f'error: {exc}')
    print_published(final, stable)


if __name__ == '__main__':
    main()
