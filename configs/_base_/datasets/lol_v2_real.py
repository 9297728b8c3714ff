# LOL-v2 Real_captured (Yang et al. 2021): 689 training and 100 test pairs of
# 600 x 400.
#   data/LOL-v2/Real_captured/{Train,Test}/{Low,Normal}/*.png
# LQ and GT files pair by the first run of digits in their names
# (low00001.png <-> normal00001.png). 512-px training crops after reflect
# padding of the 400-px side (see lol_v1.py).
_base_ = './lol_v1.py'

data_root = 'data/LOL-v2/Real_captured'

train_dataloader = dict(
    dataset=dict(
        data_root=data_root, data_prefix=dict(img='Train/Low',
                                              gt='Train/Normal')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root, data_prefix=dict(img='Test/Low',
                                              gt='Test/Normal')))
test_dataloader = val_dataloader
