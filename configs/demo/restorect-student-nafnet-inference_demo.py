# The deployable NAFNet student of configs/demo/restorect-student-nafnet_demo.py:
# MMagic's BaseEditModel around the same tiny NAFNet. Its weights are the
# generator.* of the stage-2 checkpoint:
#   python tools/model_converters/extract_student.py \
#       work_dirs/restorect-student-nafnet_demo/iter_400.pth \
#       work_dirs/restorect-student-nafnet_demo/nafnet.pth
#   python tools/test.py \
#       configs/demo/restorect-student-nafnet-inference_demo.py \
#       work_dirs/restorect-student-nafnet_demo/nafnet.pth
_base_ = './restorect-student-nafnet_demo.py'

experiment_name = 'restorect-student-nafnet-inference_demo'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    _delete_=True,
    type='BaseEditModel',
    generator={{_base_.model.generator}},  # the demo's tiny NAFNet
    pixel_loss=dict(type='L1Loss'),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
model_wrapper_cfg = dict(
    _delete_=True, type='MMDistributedDataParallel', device_ids=None)
custom_hooks = [dict(type='BasicVisualizationHook', interval=1)]
