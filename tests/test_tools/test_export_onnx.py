"""tools/deployment/export_onnx.py: a tiny student exported with unrolled
Euler steps matches PyTorch on a real photo; a wrong checkpoint fails."""
import os.path as osp
import re

import cv2
import torch

from tests.test_tools.tool_runner import run_tool

from tests.test_apis.tiny_student import INFERENCE_DEMO, make_student_checkpoint  # noqa: E402


def test_export_matches_pytorch_on_a_real_photo(tmp_path):
    import onnx
    import skimage.data
    weights, _ = make_student_checkpoint(tmp_path)
    photo = str(tmp_path / 'chelsea.png')  # 300 x 451: padded to 304 x 456
    cv2.imwrite(photo, skimage.data.chelsea()[..., ::-1])
    out = str(tmp_path / 'student.onnx')
    proc = run_tool(['tools/deployment/export_onnx.py', INFERENCE_DEMO,
                     weights, out, '--steps', '3', '--check-images', photo])
    diff = float(re.search(r'PyTorch: (\S+)', proc.stdout).group(1))
    print(f'ONNX max abs diff {diff:.3g}')
    assert diff < 1e-3
    graph = onnx.load(out).graph
    assert [i.name for i in graph.input] == ['lq', 'noise_rex', 'noise_img']
    dims = graph.input[0].type.tensor_type.shape.dim
    assert dims[2].dim_param == 'height' and dims[3].dim_param == 'width'


def test_wrong_checkpoint_fails_clearly(tmp_path):
    bad = str(tmp_path / 'bad.pth')
    torch.save({'state_dict': {'x': torch.zeros(1)}}, bad)
    proc = run_tool(['tools/deployment/export_onnx.py', INFERENCE_DEMO, bad,
                     str(tmp_path / 'x.onnx')], check=False)
    assert proc.returncode != 0
    assert 'does not fit' in proc.stderr and bad in proc.stderr
    assert not osp.exists(tmp_path / 'x.onnx')
