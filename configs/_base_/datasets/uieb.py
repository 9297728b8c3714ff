# UIEB, underwater image enhancement (Li et al., "An Underwater Image
# Enhancement Benchmark Dataset and Beyond", TIP 2020): 890 raw underwater
# images with selected references (raw-890 / reference-890), published
# without a train / test split. RestoRect tests on 178 (20 %); the reference
# split list is not published, so make one (seeded, reproducible) with
#   python tools/dataset_converters/make_split.py --lq data/UIEB/raw-890 \
#       --gt data/UIEB/reference-890 --out data/UIEB --num-test 178 \
#       --seed 42 --materialize symlink
# which builds the layout read here:
#   data/UIEB/input_train/*.png   data/UIEB/gt_train/*.png
#   data/UIEB/input_test/*.png    data/UIEB/gt_test/*.png   (val + test)
# Pairs by the first run of digits in the file names. Pipeline: the chaos
# resize of paired_chaos.py (512 train, 256 val / test).
_base_ = './paired_chaos.py'

data_root = 'data/UIEB'

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='input_train', gt='gt_train')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='input_test', gt='gt_test')))
test_dataloader = val_dataloader
