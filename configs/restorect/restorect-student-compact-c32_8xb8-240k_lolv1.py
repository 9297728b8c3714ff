# A compact RestoRect student on LOL-v1: the rectified-flow prior generation
# is kept, G shrinks from dim 64 / blocks 3-3-3-3 / refinement 3 to dim 32 /
# blocks 2-2-2-2 / refinement 1 and the flows' condition encoders from 5 to 2
# ResBlocks. About 7.2 M parameters in the inference graph (the full student:
# 26.1 M) and 4-7x faster on a CPU at 600x400
# (tools/analysis_tools/benchmark.py). Same recipe as the full student:
#   bash tools/dist_train.sh \
#       configs/restorect/restorect-student-compact-c32_8xb8-240k_lolv1.py 8
# (the teacher as restorect-student_8xb8-240k_lolv1.py reads it)
# The priors keep the teacher's 256 dims (the flows regress the teacher's
# priors); 1x1 adapters map the student's decoder maps (128, 64, 64
# channels) to the teacher's (256, 128, 128) for FLEX.
_base_ = './restorect-student_8xb8-240k_lolv1.py'

experiment_name = 'restorect-student-compact-c32_8xb8-240k_lolv1'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(dim=32, num_blocks=(2, 2, 2, 2), num_refinement_blocks=1),
    prior_flows=dict(n_encoder_res=2),
    # the teacher's weights do not fit a dim-32 G as they are: it starts
    # from evenly spaced teacher weights (weight selection). The demo
    # compact student also learns best at twice the full student's LR; at
    # full size that is untested, so the reference LR stays.
    init_student_from_teacher='select',
    feature_channels=[(128, 256), (64, 128), (64, 128)])
