"""Which part of a stage-2 student makes its errors: its generator or its
sampled priors? Swaps the priors between the student and the teacher.

    python tools/analysis_tools/prior_ablation.py CONFIG CHECKPOINT LOW_DIR \
        HIGH_DIR [--cfg-options KEY=VALUE ...] [--device cpu]

CONFIG and CHECKPOINT: a stage-2 (RestoRectDistiller) config and a training
checkpoint of it (``work_dirs/<stage 2>/iter_*.pth``), which holds the frozen
teacher, the student and the flows (the EMA weights, as MMEngine's EMAHook
saves them). Each ``LOW_DIR/<name>`` is restored with ``HIGH_DIR/<name>`` as
its ground truth, both reflect-padded to a multiple of 8 as at test time, by
five pairings of a generator and priors:

* teacher G + GT priors: the teacher as stage 1 trained it;
* student G + sampled priors: the deployed student;
* student G + GT priors, teacher G + sampled priors: one part swapped;
* teacher G + zero priors: what the priors add at all.

Prints, averaged over the images, each pairing's PSNR (RGB, clamped to
[0, 1]), chroma speckle share (percent,
:func:`restorect_mm.evaluation.functional.chroma_speckle`) and the range of
its unclamped output, then how the sampled priors compare with the GT
priors: cosine similarity and norm ratio, per flow. With ``--out-json`` also
writes them.
"""
import json
import os.path as osp
import sys

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import DictAction

import restorect_mm  # noqa: F401  (compatibility fixes, registration)
from mmagic.evaluation.metrics.psnr import psnr
from restorect_mm.apis.restorer import build_model, resolve_device
from restorect_mm.evaluation.functional import chroma_speckle
from restorect_mm.models.editors.restorect_student import sample_priors
from restorect_mm.models.rgformer import pad_to_multiple
from restorect_mm.utils.cli import docstring_parser

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from restore_teacher import paired_names, read_rgb  # noqa: E402

PAIRINGS = ('teacher G + GT priors', 'student G + sampled priors',
            'student G + GT priors', 'teacher G + sampled priors',
            'teacher G + zero priors')


def output_scores(output, gt):
    """PSNR, speckle share and unclamped range of one (1, 3, H, W) output
    against its (1, 3, H, W) GT, both in [0, 1] model space."""
    clamped = output.clamp(0, 1)[0].permute(1, 2, 0).cpu().double().numpy()
    target = gt[0].permute(1, 2, 0).cpu().double().numpy()
    # MMagic's PSNR, on the 0-255 scale it expects
    return dict(psnr=float(psnr(clamped * 255., target * 255.)),
                speckle=chroma_speckle(clamped, max_value=1.),
                min=float(output.min()), max=float(output.max()))


@torch.no_grad()
def prior_ablation(config, checkpoint, low_dir, high_dir, device='cpu',
                   cfg_options=None, seed=0):
    """Score the five pairings of :data:`PAIRINGS` on the pairs of
    ``low_dir`` / ``high_dir``.

    Returns:
        dict: pairing -> mean ``psnr``, ``speckle``, ``min``, ``max``; and
        ``priors`` -> mean ``cos_rex``, ``cos_img``, ``norm_ratio_rex``,
        ``norm_ratio_img`` (sampled against GT).
    """
    device = resolve_device(device)
    # the checkpoint holds the frozen teacher: nothing else to load
    options = {'model.teacher_weights': None,
               'model.allow_untrained_teacher': True, **(cfg_options or {})}
    model = build_model(config, checkpoint, device, cfg_options=options)
    if not getattr(model, 'student_uses_priors', False):
        raise ValueError(f'{config}: not a RestoRectDistiller whose student '
                         'takes priors; there are no priors to swap')
    rows = {name: [] for name in (*PAIRINGS, 'priors')}
    for name in paired_names(low_dir, high_dir):
        lq = read_rgb(osp.join(low_dir, name)).to(device)
        gt = read_rgb(osp.join(high_dir, name)).to(device)
        height, width = lq.shape[-2:]
        lq_pad, gt_pad = pad_to_multiple(lq), pad_to_multiple(gt)
        z_rex_t, z_img_t, _, _ = model.teacher_priors(lq_pad, gt_pad)
        noise = torch.Generator(device=device).manual_seed(seed)
        z_rex_s, z_img_s = sample_priors(model.decom_low, model.prior_flows,
                                         lq_pad, model.num_steps, noise)
        runs = {
            PAIRINGS[0]: (model.teacher_generator, z_rex_t, z_img_t),
            PAIRINGS[1]: (model.generator, z_rex_s, z_img_s),
            PAIRINGS[2]: (model.generator, z_rex_t, z_img_t),
            PAIRINGS[3]: (model.teacher_generator, z_rex_s, z_img_s),
            PAIRINGS[4]: (model.teacher_generator, torch.zeros_like(z_rex_s),
                          torch.zeros_like(z_img_s)),
        }
        for pairing, (generator, z_rex, z_img) in runs.items():
            output = generator(lq_pad, z_rex, z_img)[..., :height, :width]
            rows[pairing].append(output_scores(output, gt))
        rows['priors'].append(dict(
            cos_rex=float(F.cosine_similarity(z_rex_s, z_rex_t).mean()),
            cos_img=float(F.cosine_similarity(z_img_s, z_img_t).mean()),
            norm_ratio_rex=float(z_rex_s.norm() / z_rex_t.norm()),
            norm_ratio_img=float(z_img_s.norm() / z_img_t.norm())))
    return {name: {key: float(np.mean([r[key] for r in values]))
                   for key in values[0]} for name, values in rows.items()}


def print_table(results):
    print('| pairing | PSNR (dB) | chroma speckle % | output min | '
          'output max |')
    print('| --- | --- | --- | --- | --- |')
    for pairing in PAIRINGS:
        r = results[pairing]
        print(f'| {pairing} | {r["psnr"]:.2f} | {r["speckle"]:.3f} | '
              f'{r["min"]:.2f} | {r["max"]:.2f} |')
    p = results['priors']
    print(f'\nsampled vs GT priors: cosine {p["cos_rex"]:.3f} (rex), '
          f'{p["cos_img"]:.3f} (img); norm ratio {p["norm_ratio_rex"]:.2f} '
          f'(rex), {p["norm_ratio_img"]:.2f} (img)')


def main(argv=None):
    parser = docstring_parser(__doc__)
    parser.add_argument('config', help='stage-2 (distiller) config')
    parser.add_argument('checkpoint', help='stage-2 training checkpoint')
    parser.add_argument('low_dir', help='folder of input images')
    parser.add_argument('high_dir', help='folder of their ground truths')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='config overrides, key=value')
    parser.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1')
    parser.add_argument('--out-json', help='also write the results here')
    args = parser.parse_args(argv)
    try:
        results = prior_ablation(args.config, args.checkpoint, args.low_dir,
                                 args.high_dir, args.device,
                                 args.cfg_options)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f'error: {error}')
    print_table(results)
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == '__main__':
    main()
