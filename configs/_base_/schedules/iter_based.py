# An iteration-based loop with validation; stage configs set the numbers.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=100_000, val_interval=5000)
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
