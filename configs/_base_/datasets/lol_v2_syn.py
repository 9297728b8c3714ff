# LOL-v2 Synthetic (Yang et al. 2021): 900 training and 100 test pairs of
# 384 x 384 (the reference's evaluation file lists 92 of the test pairs).
#   data/LOL-v2/Synthetic/{Train,Test}/{Low,Normal}/*.png
# 512-px training crops: both 384-px sides are padded by reflection first
# (see lol_v1.py); lol_v1.py's pipeline handles any size.
_base_ = './lol_v1.py'

data_root = 'data/LOL-v2/Synthetic'

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='Train/Low', gt='Train/Normal')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root, data_prefix=dict(img='Test/Low',
                                              gt='Test/Normal')))
test_dataloader = val_dataloader
