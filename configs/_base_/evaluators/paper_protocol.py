# RestoRect's reporting protocol (the reference's
# evaluation script), to reproduce its tables: both images
# resized to 256 x 256 (bilinear via float, truncation), the prediction
# corrected 10 % toward the ground truth's per-channel mean / std, luma with
# the reference's swapped R/B weights, 5-px crop.
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
# test_evaluator (index: metric, result key), all with paper_protocol=True
# except UCIQE / UIQM; every protocol metric needs gt_img (on the unpaired
# sets the reference used the input image as the "ground truth"):
#   0 ProtocolPSNR  'PSNR'   256 px, corrected, swapped Y, crop 5
#   1 ProtocolSSIM  'SSIM'   256 px, corrected, swapped Y, crop 5
#   2 LPIPS         'LPIPS'  VGG, 256 px, corrected, BGR input as the
#                            reference's helper; backbone weights:
#       --cfg-options test_evaluator.2.backbone_weights=/path/vgg16.pth
#     (default None: torchvision's cache, ~/.cache/torch/hub/checkpoints)
#   3 InceptionFID  'FID'    real: 256 px GT, fake: UNcorrected predictions
#                            at 256 px, then pytorch-fid's FID Inception
#                            (its 299 resize; the reference's Inception and
#                            resize are unknown); weights:
#       --cfg-options test_evaluator.3.inception_weights=/path/pt_inception.pth
#     skipped (no number, a warning) while the weights are missing.
#     torchvision's ImageNet Inception instead (not comparable with
#     published FIDs, result key 'FID_torchvision_imagenet'): entry 3 as
#     dict(type='InceptionFIDImageNet', paper_protocol=True, ...) with
#     torchvision's inception_v3_google-0cc3c7bd.pth
#   4 NIQEChecked   'NIQE'   256 px corrected prediction, swapped Y, crop 5
#                            (any input size: the resize makes it >= 192)
#   5 UCIQE         'UCIQE'  tail 0.02 as the reference's percentiles
#   6 UIQM          'UIQM'   with the reference's lambda_B = 0.144
# Standard luma instead of the swapped one:
#   --cfg-options test_evaluator.0.swap_rb_in_y=False \
#                 test_evaluator.1.swap_rb_in_y=False \
#                 test_evaluator.4.swap_rb_in_y=False
# LPIPS on RGB instead of the reference's BGR:
#   --cfg-options test_evaluator.2.protocol_bgr_input=False
# The reference's BRISQUE: add it from ./paired.py (key svr_model_path as
# documented there).
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
test_evaluator = [
    dict(type='ProtocolPSNR', paper_protocol=True),
    dict(type='ProtocolSSIM', paper_protocol=True),
    dict(type='LPIPS', backbone_weights=None, paper_protocol=True),
    dict(type='InceptionFID', inception_weights=None, paper_protocol=True,
         skip_without_weights=True),
    dict(type='NIQEChecked', paper_protocol=True),
    dict(type='UCIQE', tail=0.02),
    dict(type='UIQM', use_reference_blue_weight_typo=True),
]
