# Evaluator of the sets without reference (LIME, DICM, MEF, NPE, VV,
# Fundus, docs/metrics.md): no-reference scores of the
# restored image only. The data samples have no gt_img, so PSNR / SSIM /
# LPIPS / FID are not computed (RestoRect's script scored against the
# input itself, which measures closeness to the degraded image).
#
# test_evaluator (index: metric, result key):
#   0 NIQEChecked   'NIQE'     Y channel; needs >= 192 px per side
#   1 BRISQUE       'BRISQUE'  shipped SVR model; another one with
#       --cfg-options test_evaluator.1.svr_model_path=/path/svr.txt
#   2 UCIQE         'UCIQE'
#   3 UIQM          'UIQM'     (--cfg-options
#       test_evaluator.3.use_reference_blue_weight_typo=True for the
#       reference's lambda_B = 0.144)
# No LPIPS / Inception weights are needed here.
# val_evaluator: PSNR / SSIM for a base used with a paired validation set;
# test-only configs set it to None.
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
test_evaluator = [
    dict(type='NIQEChecked', convert_to='y'),
    dict(type='BRISQUE'),
    dict(type='UCIQE'),
    dict(type='UIQM'),
]
