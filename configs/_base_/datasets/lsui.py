# LSUI, large-scale underwater image set (Peng et al., "U-shape Transformer
# for Underwater Image Enhancement", TIP 2023): paired input / GT folders,
# published without a train / test split. RestoRect split it 80 / 20 at
# random with seed 42 (its list is not published, and its 593 test images
# cannot be reproduced); make a seeded split with
#   python tools/dataset_converters/make_split.py --lq data/LSUI/input \
#       --gt data/LSUI/GT --out data/LSUI --test-ratio 0.2 --seed 42 \
#       --materialize symlink
# which builds the layout read here:
#   data/LSUI/input_train/*.jpg   data/LSUI/gt_train/*.jpg
#   data/LSUI/input_test/*.jpg    data/LSUI/gt_test/*.jpg   (val + test)
# Pairs by the first run of digits in the file names. Pipeline: the chaos
# resize of paired_chaos.py (512 train, 256 val / test).
_base_ = './uieb.py'

data_root = 'data/LSUI'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
