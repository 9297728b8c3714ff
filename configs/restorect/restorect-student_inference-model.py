# The standalone RestoRect student (the model base that
# configs/restorect_student_inference.py uses too) with the runtime and
# the test loop, but WITHOUT data: the per-set evaluation configs
# restorect-student_test_<set>.py add a dataset base next to it. (A complete
# config such as restorect_student_inference.py cannot be listed next to a
# dataset base: MMEngine refuses keys defined by two bases.)
# Outputs are saved under the input's name (sets without ground truth have no
# gt_path) as input | restored.
_base_ = [
    '../_base_/models/restorect_student_inference.py',
    '../_base_/default_runtime.py',
]

# evaluation only: a test loop, no training or validation loop
test_cfg = dict(type='MultiTestLoop')

visualizer = dict(
    type='ConcatImageVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    fn_key='img_path',
    img_keys=['input', 'pred_img'],
    bgr2rgb=True)  # outputs are BGR, as MMagic; the backend writes RGB
custom_hooks = [dict(type='BasicVisualizationHook', interval=1)]
