# The standalone RestoRect student of configs/restorect_student_inference.py
# (same model; tests/test_configs checks that they match) with the runtime and
# the test loop, but WITHOUT data: the per-set evaluation configs
# restorect-student_test_<set>.py add a dataset base next to it. (A complete
# config such as restorect_student_inference.py cannot be listed next to a
# dataset base: MMEngine refuses keys defined by two bases.)
# Outputs are saved under the input's name (sets without ground truth have no
# gt_path) as input | restored.
_base_ = '../_base_/default_runtime.py'

model = dict(
    type='RestoRectStudent',
    generator=dict(
        type='RGFormer',
        dim=64,
        num_blocks=(3, 3, 3, 3),
        num_refinement_blocks=3,
        heads=(1, 2, 4, 8),
        ffn_expansion_factor=2.66,
        norm_type='SpatialChannel',
        with_retinex_head=False),
    prior_flows=dict(
        type='RetinexPriorFlows', timesteps=4, time_input='index'),
    decom_low=dict(type='DecomNet'),
    num_steps=4,
    seed=0,
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

# evaluation only: a test loop, no training or validation loop
test_cfg = dict(type='MultiTestLoop')

visualizer = dict(
    type='ConcatImageVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    fn_key='img_path',
    img_keys=['input', 'pred_img'],
    bgr2rgb=False)
custom_hooks = [dict(type='BasicVisualizationHook', interval=1)]
