# Evaluator of the underwater sets (UIEB, LSUI): the paired evaluator of
# ./paired.py (same order, so the same --cfg-options indices) followed by
# the underwater no-reference scores.
#
# test_evaluator (index: metric, result key):
#   0 PSNR, 1 SSIM, 2 LPIPS, 3 InceptionFID, 4 NIQEChecked, 5 BRISQUE
#     (as ./paired.py):
#       --cfg-options test_evaluator.2.backbone_weights=/path/vgg16.pth
#       --cfg-options test_evaluator.3.inception_weights=/path/pt_inception.pth
#       --cfg-options test_evaluator.5.svr_model_path=/path/svr.txt
#   6 UCIQE         'UCIQE'
#   7 UIQM          'UIQM'     (lambda_B = 0.114; RestoRect's reported
#       numbers used the reference's 0.144 typo:
#       --cfg-options test_evaluator.7.use_reference_blue_weight_typo=True)
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
test_evaluator = [
    dict(type='PSNR'),
    dict(type='SSIM'),
    dict(type='LPIPS', backbone_weights=None),
    dict(type='InceptionFID', inception_weights=None,
         skip_without_weights=True),
    dict(type='NIQEChecked', convert_to='y'),
    dict(type='BRISQUE'),
    dict(type='UCIQE'),
    dict(type='UIQM'),
]
