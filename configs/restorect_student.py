# Stage 2: distil the stage-1 teacher into the RestoRect student, whose priors
# come from the degraded input alone through conditional latent rectified flows.
# The documented full-size command (8 GPUs x batch 8, LOL-v1 layout); it
# reads the teacher that configs/restorect_teacher.py's publish step writes
# (work_dirs/restorect_teacher/restorect-teacher.pth):
#   bash tools/dist_train.sh configs/restorect_student.py 8
# Phase 1 (iter < encoder_iters) trains the flows only; phase 2 everything.
# Then the standalone student (configs/restorect_student_inference.py):
#   python tools/model_converters/extract_student.py \
#       work_dirs/restorect_student/iter_240000.pth \
#       work_dirs/restorect_student/restorect-student.pth
_base_ = [
    './_base_/models/restorect_student.py',
    './_base_/schedules/restorect_student_240k.py',
    './_base_/datasets/lol_v1.py',
]

experiment_name = 'restorect_student'
work_dir = f'./work_dirs/{experiment_name}'
