# The deployable NAFNet student of
# configs/restorect/restorect-student-nafnet-c32_8xb8-240k_lolv1.py: MMagic's
# BaseEditModel around the same NAFNet. Its weights are the generator.* of
# the stage-2 checkpoint:
#   python tools/model_converters/extract_student.py \
#       work_dirs/restorect-student-nafnet-c32_8xb8-240k_lolv1/best_PSNR_*.pth \
#       nafnet-student.pth
#   python tools/test.py \
#       configs/restorect/restorect-student-nafnet-c32-inference_lolv1.py \
#       nafnet-student-<hash>.pth
_base_ = './restorect-student-nafnet-c32_8xb8-240k_lolv1.py'

experiment_name = 'restorect-student-nafnet-c32-inference_lolv1'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    _delete_=True,
    type='BaseEditModel',
    generator={{_base_.nafnet_c32}},
    pixel_loss=dict(type='L1Loss'),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
model_wrapper_cfg = dict(
    _delete_=True, type='MMDistributedDataParallel', device_ids=None)
custom_hooks = [dict(type='BasicVisualizationHook', interval=1)]
