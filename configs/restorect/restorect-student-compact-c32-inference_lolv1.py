# The standalone compact student of
# configs/restorect/restorect-student-compact-c32_8xb8-240k_lolv1.py (no
# teacher, no GT, no auxiliary head). Weights:
#   python tools/model_converters/extract_student.py STAGE2_CKPT student.pth
#   python tools/test.py \
#       configs/restorect/restorect-student-compact-c32-inference_lolv1.py \
#       student-<hash>.pth
_base_ = '../restorect_student_inference.py'

experiment_name = 'restorect-student-compact-c32-inference_lolv1'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(dim=32, num_blocks=(2, 2, 2, 2), num_refinement_blocks=1),
    prior_flows=dict(n_encoder_res=2))
