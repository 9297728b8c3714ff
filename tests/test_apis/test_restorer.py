"""Restorer: same result as the model's own inference, clear refusals."""
import numpy as np
import pytest
import torch

from restorect_mm.apis import ModelNotSupportedError, Restorer
from restorect_mm.engine.checkpoint_io import CheckpointError
from restorect_mm.models.rgformer import pad_to_multiple
from tests.test_apis.tiny_student import (INFERENCE_DEMO, TEACHER_DEMO,
                          make_student_checkpoint, real_photo)


@pytest.fixture(scope='module')
def student(tmp_path_factory):
    return make_student_checkpoint(tmp_path_factory.mktemp('student'))


def test_untiled_equals_the_models_restore_on_any_size(student):
    weights, model = student
    rgb = real_photo((37, 53))  # not a multiple of 8: padded, cropped back
    out = Restorer(INFERENCE_DEMO, weights).restore(rgb)
    assert out.shape == rgb.shape
    image = torch.from_numpy(rgb).permute(2, 0, 1)[None]
    with torch.no_grad():
        expected = model.restore(pad_to_multiple(image, 8)).clamp(0, 1)
    expected = expected[0, :, :37, :53].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_steps_and_seed_change_the_result(student):
    weights, _ = student
    rgb = real_photo((32, 32))
    base = Restorer(INFERENCE_DEMO, weights).restore(rgb)
    assert np.array_equal(base, Restorer(INFERENCE_DEMO, weights).restore(rgb))
    assert not np.array_equal(
        base, Restorer(INFERENCE_DEMO, weights, num_steps=1).restore(rgb))
    assert not np.array_equal(
        base, Restorer(INFERENCE_DEMO, weights, seed=5).restore(rgb))


def test_bf16_on_cpu_runs_and_fp16_on_cpu_is_refused(student):
    weights, _ = student
    rgb = real_photo((32, 32))
    out = Restorer(INFERENCE_DEMO, weights, precision='bf16').restore(rgb)
    full = Restorer(INFERENCE_DEMO, weights).restore(rgb)
    assert np.abs(out - full).mean() < 0.05
    with pytest.raises(ValueError, match='--fp16 needs a GPU'):
        Restorer(INFERENCE_DEMO, weights, precision='fp16')


def test_wrong_checkpoint_is_refused(tmp_path, student):
    weights, _ = student
    torch.save({'state_dict': {'foo': torch.zeros(1)}}, tmp_path / 'x.pth')
    with pytest.raises(CheckpointError, match='does not fit'):
        Restorer(INFERENCE_DEMO, str(tmp_path / 'x.pth'))


def test_model_that_needs_the_gt_is_refused():
    with pytest.raises(ModelNotSupportedError, match='ground truth'):
        Restorer(TEACHER_DEMO, None,
                 cfg_options={'model.decom_weights': None,
                              'model.allow_untrained_decom': True})


def test_plain_mmagic_editor_works(tmp_path):
    """Any MMagic editor through its predict path, e.g. NAFNet."""
    from mmengine.config import Config
    cfg = Config(dict(model=dict(
        type='BaseEditModel',
        generator=dict(type='NAFNet', img_channels=3, mid_channels=8,
                       enc_blk_nums=[1], middle_blk_num=1, dec_blk_nums=[1]),
        pixel_loss=dict(type='L1Loss'),
        data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                               std=[255., 255., 255.]))))
    restorer = Restorer(cfg, None, tile=32, tile_overlap=8)
    rgb = real_photo((40, 72))
    out = restorer.restore(rgb)
    assert out.shape == rgb.shape and 0 <= out.min() and out.max() <= 1
    with pytest.raises(ValueError, match='no sampler'):
        Restorer(cfg, None, num_steps=3)



# the demo student at half width (fast at 257 x 333 on a CPU)
NARROW = {'model.generator.dim': 8, 'model.generator.prior_dim': 32,
          'model.generator.rex_split': (24, 8), 'model.prior_flows.n_feats': 8}


@pytest.fixture(scope='module')
def narrow_student(tmp_path_factory):
    """(Restorer, model) of one random narrow student."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from restorect_mm.engine.checkpoint_io import save_weights
    from restorect_mm.registry import MODELS
    init_default_scope('mmagic')  # module scope: before the autouse fixture
    cfg = Config.fromfile(INFERENCE_DEMO)
    cfg.merge_from_dict(NARROW)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    path = save_weights(model.state_dict(), dict(model='RestoRectStudent'),
                        f"{tmp_path_factory.mktemp('narrow')}/narrow.pth")
    return Restorer(INFERENCE_DEMO, path, cfg_options=NARROW), model


@pytest.mark.parametrize('size', [(257, 333), (36, 44)])
def test_test_py_model_path_equals_the_restorer(narrow_student, size):
    """tools/test.py's path (PackInputs -> model.test_step: data
    preprocessor, predict, destruct) and restore.py's Restorer pad the input
    once, before D_low and the priors, so they agree on sizes that are not
    multiples of 8."""
    from mmagic.datasets.transforms import PackInputs
    restorer, model = narrow_student
    rgb = real_photo(size)
    out = restorer.restore(rgb)
    packed = PackInputs()(dict(
        img=rgb * 255.0, gt=rgb * 255.0, img_channel_order='rgb',
        img_color_type='color', ori_img_shape=rgb.shape))
    with torch.no_grad():
        pred = model.test_step(dict(inputs=[packed['inputs']],
                                    data_samples=[packed['data_samples']]))
    # with a GT, the prediction comes in the metrics' order (BGR)
    pred = pred[0].output.pred_img.flip(0).permute(1, 2, 0).numpy() / 255.0
    assert pred.shape == out.shape == rgb.shape
    assert np.abs(pred - out).max() < 1e-5
