"""tools/test.py --out writes strict JSON, whatever the metric values."""
import json

import numpy as np

from tests.test_tools.tool_runner import load_tool


def _test_tool():
    return load_tool('tools/test.py')


def _reject_constants(name):
    raise ValueError(f'{name} is not JSON')


def test_non_finite_metrics_are_written_as_null(tmp_path):
    tool = _test_tool()

    class Runner:
        rank = 0

    out = tmp_path / 'm.json'
    hook = tool.SaveMetricsHook(str(out))
    hook.after_test_epoch(Runner(), metrics={
        'PSNR': float('inf'), 'SSIM': np.float64(1.0), 'MAE': float('nan'),
        'LPIPS': np.float32(0.25)})
    metrics = json.loads(out.read_text(), parse_constant=_reject_constants)
    assert metrics == {'PSNR': None, 'SSIM': 1.0, 'MAE': None, 'LPIPS': 0.25}
