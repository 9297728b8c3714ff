# Stage 1: the RestoRect teacher (G with privileged LQ + GT priors), LOL-v1.
# Reference recipe: 8 GPUs x batch 8 (512-px loads, progressive sub-crops),
# 300k iterations, AdamW 2e-4, cyclic cosine restart, EMA 0.999, validation
# every 5k. Reads the published stage-0 weights
# (work_dirs/restorect_decom/restorect-decom.pth, see configs/restorect_decom.py):
#   bash tools/dist_train.sh configs/restorect_teacher.py 8
# Then publish the EMA weights for stage 2 (configs/restorect_student.py reads
# the stable work_dirs/restorect_teacher/restorect-teacher.pth):
#   python tools/publish_model.py work_dirs/restorect_teacher/best_*.pth \
#       work_dirs/restorect_teacher/restorect-teacher.pth
# The teacher is evaluated WITH the ground truth (its priors use it): its
# PSNR/SSIM are an upper reference, not a restoration result.
_base_ = [
    './_base_/models/restorect_teacher.py',
    './_base_/schedules/restorect_teacher_300k.py',
    './_base_/datasets/lol_v1.py',
]

experiment_name = 'restorect_teacher'
work_dir = f'./work_dirs/{experiment_name}'
