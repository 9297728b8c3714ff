# Evaluator of the paired test sets (LOL-style, SICE, SID, BAID): standard
# protocol, full resolution, RGB, no crop, no ground-truth statistics (see
# docs/metrics.md). Paper-protocol numbers: ./paper_protocol.py.
#
# val_evaluator: PSNR / SSIM only (cheap, runs during training).
# test_evaluator (index: metric, result key):
#   0 PSNR          'PSNR'     (MMagic)
#   1 SSIM          'SSIM'     (MMagic)
#   2 LPIPS         'LPIPS'    VGG16 backbone weights:
#       --cfg-options test_evaluator.2.backbone_weights=/path/vgg16.pth
#     (default None: torchvision's cache, ~/.cache/torch/hub/checkpoints)
#   3 InceptionFID  'FID'      the FID of the literature (pytorch-fid's FID
#     Inception, comparable with published FIDs at equal set size); weights
#     pt_inception-2015-12-05-6726825d.pth (docs/metrics.md):
#       --cfg-options test_evaluator.3.inception_weights=/path/pt_inception.pth
#     (default None: torch.hub's cache, ~/.cache/torch/hub/checkpoints)
#     skipped (no number, a warning) while the weights are missing
#   4 NIQEChecked   'NIQE'     Y channel; needs >= 192 px per side
#   5 BRISQUE       'BRISQUE'  shipped SVR model; another one with
#       --cfg-options test_evaluator.5.svr_model_path=/path/svr.txt
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
test_evaluator = [
    dict(type='PSNR'),
    dict(type='SSIM'),
    dict(type='LPIPS', backbone_weights=None),
    dict(type='InceptionFID', inception_weights=None,
         skip_without_weights=True),
    dict(type='NIQEChecked', convert_to='y'),
    dict(type='BRISQUE'),
]
