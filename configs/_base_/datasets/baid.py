# BAID, backlit image enhancement (Lv et al., "BacklitNet: A dataset and
# network for backlit image enhancement", CVIU 2022; also used by CLIP-LIT):
# paired backlit / expert-retouched photos; RestoRect uses the resized release
# and tests on 368 pairs.
#   data/BAID/BAID-train/resize_input/*.png   resize_gt/*.png   (training)
#   data/BAID/BAID-test/resize_input/*.png    resize_gt/*.png   (val + test)
# Pairs by the first run of digits in the file names (PairedFolderDataset).
# Pipeline: long edge <= 2048, multiple of 32, 512-px training crops (see
# paired_resize_long_edge.py). Fundus (fundus.py) is evaluated with the BAID
# model, zero-shot.
_base_ = './paired_resize_long_edge.py'

data_root = 'data/BAID'

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='BAID-train/resize_input',
                         gt='BAID-train/resize_gt')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='BAID-test/resize_input',
                         gt='BAID-test/resize_gt')))
test_dataloader = val_dataloader
