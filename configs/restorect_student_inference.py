# The standalone RestoRect student (no teacher, no GT, no D_high, no auxiliary
# head): what tools/test.py evaluates and what is deployed. Weights come from
#   python tools/model_converters/extract_student.py STAGE2_CKPT student.pth
# and test.py's checkpoint argument:
#   python tools/test.py configs/restorect_student_inference.py student-<hash>.pth
_base_ = './restorect_student.py'

experiment_name = 'restorect_student_inference'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    _delete_=True,
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
model_wrapper_cfg = dict(
    _delete_=True, type='MMDistributedDataParallel', device_ids=None)
custom_hooks = [dict(type='BasicVisualizationHook', interval=1)]
