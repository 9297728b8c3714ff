# The standalone student of the demo (tiny; matches
# configs/demo/restorect-student_demo.py), evaluated by tools/test.py on the
# weights that tools/model_converters/extract_student.py writes.
_base_ = '../restorect_student_inference.py'

experiment_name = 'restorect-student-inference_demo'
work_dir = f'./work_dirs/{experiment_name}'

n_feats = 16
model = dict(
    generator=dict(
        dim=16,
        num_blocks=(1, 1, 1, 1),
        num_refinement_blocks=1,
        prior_dim=4 * n_feats,
        rex_split=(3 * n_feats, n_feats)),
    prior_flows=dict(n_feats=n_feats, n_encoder_res=1))

demo_root = 'data/restorect_demo'
val_dataloader = dict(
    num_workers=0,
    dataset=dict(
        data_root=demo_root, data_prefix=dict(img='test/low', gt='test/high')))
test_dataloader = val_dataloader

# write the restored images alone (tools/run_demo.py collects them)
visualizer = dict(
    type='ConcatImageVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    fn_key='gt_path',
    img_keys=['pred_img'],
    bgr2rgb=True)  # outputs are BGR, as MMagic; the backend writes RGB

# the demo scores PSNR / SSIM only: LPIPS and FID of the full evaluator need
# network weights that the demo does not download
test_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
