# RestoRect's reporting protocol (spec Part B section 9), to reproduce its
# tables: both images resized to 256 x 256, the prediction corrected 10 %
# toward the ground truth's per-channel mean / std, luma with the
# reference's swapped R/B weights, 5-px crop.
# NOT comparable with standard tables (full resolution, RGB, no crop, no
# ground-truth statistics); report next to the standard ./paired.py
# numbers, never instead of them.
# Every evaluator base defines val_evaluator / test_evaluator, so it cannot
# be listed next to a dataset base that includes another one (MMEngine
# refuses a key defined by two bases). Either pair it with a dataset base
# without evaluators, e.g.
#   _base_ = ['./restorect-student_inference-model.py',  # configs/restorect/
#             '../_base_/datasets/paired_lowlight.py',
#             '../_base_/evaluators/paper_protocol.py']
# (then set test_dataloader.dataset.data_root / data_prefix), or copy the
# test_evaluator below into a test config, which overrides its bases.
#
# test_evaluator (index: metric, result key):
#   0 ProtocolPSNR  'PSNR'   (paper_protocol=True)
#   1 ProtocolSSIM  'SSIM'   (paper_protocol=True)
#   2 NIQEChecked   'NIQE'   Y, crop 5 as the reference (on the prediction
#                            as the model gives it, not resized / corrected)
#   3 UCIQE         'UCIQE'  tail 0.02 as the reference's percentiles
#   4 UIQM          'UIQM'   with the reference's lambda_B = 0.144
# Standard luma instead of the swapped one:
#   --cfg-options test_evaluator.0.swap_rb_in_y=False \
#                 test_evaluator.1.swap_rb_in_y=False
# The reference's LPIPS / FID / BRISQUE: add them from ./paired.py (keys
# backbone_weights, inception_weights, svr_model_path as documented there).
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
test_evaluator = [
    dict(type='ProtocolPSNR', paper_protocol=True),
    dict(type='ProtocolSSIM', paper_protocol=True),
    dict(type='NIQEChecked', convert_to='y', crop_border=5),
    dict(type='UCIQE', tail=0.02),
    dict(type='UIQM', use_reference_blue_weight_typo=True),
]
