# The reference's longer stage-2 recipe for UIEB, LSUI, BAID, SICE and SID:
# 400_000 iterations (phase 1 is the model's encoder_iters, 100_000 for these
# sets), all six progressive sizes (150k, 60k, 50k, 60k, 40k, 40k).
_base_ = './restorect_student_240k.py'

max_iters = 400_000
train_cfg = dict(max_iters=max_iters)
default_hooks = dict(
    progressive_patch=dict(
        patch_sizes=[192, 256, 320, 384, 464, 512],
        batch_sizes=[8, 4, 2, 2, 1, 1],
        milestones=[150_000, 210_000, 260_000, 320_000, 360_000]))
