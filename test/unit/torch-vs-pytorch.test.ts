// Torch semantics against real PyTorch: each snippet runs under /usr/bin/python3 (torch 1.13) and in the engine;
// what they print — shapes, dtypes, grad_fn names, module reprs, exception types and messages — must match.
// Values are never printed (a symbolic trace has none).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceSource } from '../../src/core/engine';

const PYTHON = process.env.TT_PYTHON ?? '/usr/bin/python3';

/** Prints what a snippet's expression evaluates to, without values. */
const PRELUDE = `
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

def desc(r):
    if isinstance(r, torch.Tensor):
        g = type(r.grad_fn).__name__ if r.grad_fn is not None else None
        return "T%s %s %s rg=%s" % (list(r.shape), r.dtype, g, r.requires_grad)
    if isinstance(r, (tuple, list)):
        return "[" + ", ".join(desc(x) for x in r) + "]"
    if isinstance(r, nn.Module):
        return repr(r)
    return repr(r)

def show(name, f):
    try:
        print(name, desc(f()))
    except Exception as e:
        print(name, "EXC", type(e).__name__ + ":", e)
`;

/** [name, expression]: the expression is evaluated lazily inside show(). */
const CASES: Array<[string, string]> = [
  // creation
  ['randn', 'torch.randn(2, 3)'],
  ['randn_tuple', 'torch.randn((2, 3), requires_grad=True)'],
  ['zeros_dtype', 'torch.zeros(2, dtype=torch.long)'],
  ['ones_like', 'torch.ones_like(torch.randn(3, 4))'],
  ['full_int', 'torch.full((2, 2), 7)'],
  ['full_float', 'torch.full((2, 2), 7.0)'],
  ['arange', 'torch.arange(10)'],
  ['arange_f', 'torch.arange(0, 1, 0.25)'],
  ['tensor_nested', 'torch.tensor([[1, 2, 3], [4, 5, 6]])'],
  ['tensor_float', 'torch.tensor([1, 2.5])'],
  ['tensor_bool', 'torch.tensor([True, False])'],
  ['tensor_ragged', 'torch.tensor([[1, 2], [3]])'],
  ['empty_neg', 'torch.empty(-1, 3)'],
  ['randint', 'torch.randint(0, 10, (3, 4))'],
  ['eye', 'torch.eye(3)'],
  ['linspace', 'torch.linspace(0, 1, 5)'],
  // shape ops
  ['view', 'torch.randn(2, 3, 4).view(6, 4)'],
  ['view_infer', 'torch.randn(2, 3, 4).view(-1, 4)'],
  ['view_bad', 'torch.randn(2, 3).view(4, -1)'],
  ['view_two_infer', 'torch.randn(2, 3).view(-1, -1)'],
  ['view_noncontig', 'torch.randn(2, 3, 4).transpose(1, 2).view(2, 12)'],
  ['view_noncontig_ok', 'torch.randn(2, 3, 4).transpose(0, 1).view(3, 2, 4)'],
  ['reshape_noncontig', 'torch.randn(2, 3, 4).transpose(1, 2).reshape(2, 12)'],
  ['contiguous', 'torch.randn(2, 3, 4).transpose(1, 2).contiguous()'],
  ['flatten', 'torch.flatten(torch.randn(2, 3, 4, 5), 1)'],
  ['flatten_mid', 'torch.randn(2, 3, 4, 5).flatten(1, 2)'],
  ['permute', 'torch.randn(2, 3, 4).permute(2, 0, 1)'],
  ['permute_bad', 'torch.randn(2, 3, 4).permute(0, 1)'],
  ['permute_dup', 'torch.randn(2, 3).permute(0, 0)'],
  ['transpose', 'torch.randn(2, 3, 4).transpose(0, 2)'],
  ['transpose_oob', 'torch.randn(2, 3).transpose(0, 2)'],
  ['t', 'torch.randn(3, 4).t()'],
  ['t_3d', 'torch.randn(2, 3, 4).t()'],
  ['T', 'torch.randn(3, 4).T'],
  ['unsqueeze', 'torch.randn(2, 3).unsqueeze(0)'],
  ['unsqueeze_neg', 'torch.randn(2, 3).unsqueeze(-1)'],
  ['unsqueeze_oob', 'torch.randn(2, 3).unsqueeze(3)'],
  ['squeeze', 'torch.randn(1, 3, 1).squeeze()'],
  ['squeeze_dim', 'torch.randn(1, 3, 1).squeeze(0)'],
  ['expand', 'torch.randn(3, 1).expand(3, 4)'],
  ['expand_new', 'torch.randn(3, 1).expand(2, -1, 4)'],
  ['expand_bad', 'torch.randn(2, 3).expand(3, 3)'],
  ['expand_as', 'torch.randn(1, 4).expand_as(torch.randn(3, 4))'],
  ['repeat', 'torch.randn(2, 3).repeat(2, 1, 2)'],
  ['repeat_bad', 'torch.randn(2, 3).repeat(2)'],
  ['chunk', 'torch.randn(5, 2).chunk(2)'],
  ['chunk_zero', 'torch.randn(5, 2).chunk(0)'],
  ['split', 'torch.randn(5, 2).split(2)'],
  ['split_sizes', 'torch.randn(5, 2).split([1, 4])'],
  ['split_bad', 'torch.randn(5, 2).split([1, 3])'],
  ['unbind', 'torch.randn(3, 2).unbind(1)'],
  ['cat', 'torch.cat([torch.randn(2, 3), torch.randn(4, 3)])'],
  ['cat_dim1', 'torch.cat((torch.randn(2, 3), torch.randn(2, 5)), dim=1)'],
  ['cat_bad', 'torch.cat([torch.randn(2, 3), torch.randn(4, 5)])'],
  ['cat_rank', 'torch.cat([torch.randn(2, 3), torch.randn(2)])'],
  ['cat_empty', 'torch.cat([], dim=0)'],
  ['cat_dim_oob', 'torch.cat([torch.randn(2, 3)], dim=2)'],
  ['stack', 'torch.stack([torch.randn(2, 3), torch.randn(2, 3)], dim=1)'],
  ['stack_bad', 'torch.stack([torch.randn(2, 3), torch.randn(4, 5)])'],
  ['size', 'torch.randn(2, 3).size()'],
  ['size_dim', 'torch.randn(2, 3).size(-1)'],
  ['shape_slice', 'torch.randn(2, 3, 4).shape[1:]'],
  ['numel', 'torch.randn(2, 3).numel()'],
  ['dim', 'torch.randn(2, 3).dim()'],
  ['narrow', 'torch.randn(4, 5).narrow(1, 1, 3)'],
  ['movedim', 'torch.randn(2, 3, 4).movedim(0, -1)'],
  // indexing
  ['idx_int', 'torch.randn(2, 3, 4)[1]'],
  ['idx_slice', 'torch.randn(2, 3, 4)[:, 1:]'],
  ['idx_step', 'torch.randn(2, 3, 8, 8)[:, :, ::2, ::2]'],
  ['idx_none', 'torch.randn(2, 3)[None, :, None]'],
  ['idx_ellipsis', 'torch.randn(2, 3, 4)[..., 0]'],
  ['idx_list', 'torch.randn(5, 3)[[0, 2, 4]]'],
  ['idx_adv_sep', 'torch.randn(2, 3, 4)[[0, 1], :, [1, 2]]'],
  ['idx_oob', 'torch.randn(2, 3)[5]'],
  ['idx_too_many', 'torch.randn(2, 3)[0, 0, 0]'],
  ['idx_neg', 'torch.randn(2, 3)[-1, -2]'],
  ['idx_full', 'torch.randn(4)[:]'],
  ['idx_view_slice', 'torch.randn(32, 128).view(-1)[:5]'],
  ['idx_long_tensor', 'torch.randn(5, 3)[torch.tensor([0, 1])]'],
  ['idx_float_tensor', 'torch.randn(5, 3)[torch.tensor([0.0])]'],
  ['idx_mask_bad', 'torch.randn(2, 3)[torch.ones(2, 4, dtype=torch.bool)]'],
  // elementwise & broadcasting
  ['add', 'torch.randn(2, 3, requires_grad=True) + torch.randn(3)'],
  ['add_bad', 'torch.randn(32, 128, 56, 56) + torch.randn(32, 128, 28, 28)'],
  ['add_scalar', 'torch.randn(2, requires_grad=True) + 1'],
  ['radd', '1 + torch.randn(2, requires_grad=True)'],
  ['rsub', '1 - torch.randn(2, requires_grad=True)'],
  ['mul', 'torch.randn(2, 3, requires_grad=True) * torch.randn(2, 1)'],
  ['div', 'torch.randn(2, requires_grad=True) / 2'],
  ['rdiv', '2 / torch.randn(2, requires_grad=True)'],
  ['int_div', 'torch.arange(4) / 2'],
  ['int_add_float', 'torch.arange(4) + 0.5'],
  ['int_floordiv', 'torch.arange(4) // 2'],
  ['pow', 'torch.randn(2, requires_grad=True) ** 2'],
  ['rpow', '2 ** torch.randn(2, requires_grad=True)'],
  ['neg', '-torch.randn(2, requires_grad=True)'],
  ['abs', 'abs(torch.randn(2, requires_grad=True))'],
  ['cmp', 'torch.randn(2, 3) > 0'],
  ['eq', 'torch.randn(2, 3) == torch.randn(3)'],
  ['and', '(torch.randn(3) > 0) & (torch.randn(3) < 1)'],
  ['invert', '~(torch.randn(3) > 0)'],
  ['relu', 'torch.relu(torch.randn(2, requires_grad=True))'],
  ['F_relu', 'F.relu(torch.randn(2, requires_grad=True))'],
  ['sigmoid', 'torch.sigmoid(torch.randn(2, requires_grad=True))'],
  ['tanh', 'torch.randn(2, requires_grad=True).tanh()'],
  ['softmax', 'F.softmax(torch.randn(2, 5, requires_grad=True), dim=-1)'],
  ['softmax_bad_dim', 'torch.randn(2, 5).softmax(2)'],
  ['log_softmax', 'torch.randn(2, 5, requires_grad=True).log_softmax(1)'],
  ['gelu', 'F.gelu(torch.randn(2, requires_grad=True))'],
  ['silu', 'F.silu(torch.randn(2, requires_grad=True))'],
  ['exp_int', 'torch.arange(3).exp()'],
  ['sqrt', 'torch.randn(3, requires_grad=True).sqrt()'],
  ['clamp', 'torch.randn(3, requires_grad=True).clamp(min=0)'],
  ['clamp_none', 'torch.randn(3).clamp()'],
  ['where', 'torch.where(torch.randn(2, 3) > 0, torch.randn(2, 3), torch.randn(3))'],
  ['masked_fill', 'torch.randn(2, 3).masked_fill(torch.randn(2, 3) > 0, 0.0)'],
  ['maximum', 'torch.maximum(torch.randn(2, 3), torch.randn(3))'],
  // in-place
  ['iadd', 'torch.randn(2, 3).add_(torch.randn(3))'],
  ['iadd_bad', 'torch.randn(3).add_(torch.randn(2, 3))'],
  ['relu_', '(torch.randn(3, requires_grad=True) * 1).relu_()'],
  ['leaf_inplace', 'torch.randn(3, requires_grad=True).relu_()'],
  ['zero_', '(torch.randn(3, requires_grad=True) * 1).zero_()'],
  ['fill_', 'torch.randn(3).fill_(2)'],
  ['mul_', '(torch.randn(3, requires_grad=True) * 1).mul_(2)'],
  ['int_inplace_div', 'torch.arange(3).div_(2)'],
  // matmul family
  ['matmul_2d', 'torch.randn(3, 4, requires_grad=True) @ torch.randn(4, 5)'],
  ['matmul_bad', 'torch.randn(32, 512) @ torch.randn(256, 10)'],
  ['matmul_3d_2d', 'torch.randn(2, 3, 4, requires_grad=True) @ torch.randn(4, 5)'],
  ['matmul_3d_2d_bad', 'torch.matmul(torch.randn(2, 3, 4), torch.randn(5, 5))'],
  ['matmul_batched', 'torch.randn(2, 3, 4, requires_grad=True) @ torch.randn(2, 4, 6)'],
  ['matmul_bcast', 'torch.randn(7, 1, 3, 4) @ torch.randn(5, 4, 2)'],
  ['matmul_1d', 'torch.randn(3) @ torch.randn(3)'],
  ['matmul_1d_bad', 'torch.randn(3) @ torch.randn(4)'],
  ['mv', 'torch.randn(3, 4) @ torch.randn(4)'],
  ['mm_bad', 'torch.mm(torch.randn(32, 512), torch.randn(256, 10))'],
  ['bmm', 'torch.bmm(torch.randn(4, 3, 5), torch.randn(4, 5, 6))'],
  ['bmm_bad', 'torch.bmm(torch.randn(2, 3, 4), torch.randn(3, 4, 5))'],
  // reductions
  ['mean', 'torch.randn(2, 3, requires_grad=True).mean()'],
  ['mean_dim', 'torch.randn(2, 3, 4).mean(dim=(1, 2), keepdim=True)'],
  ['mean_int', 'torch.ones(3, dtype=torch.long).mean()'],
  ['sum_int', 'torch.ones(3, dtype=torch.int32).sum()'],
  ['sum_dim_oob', 'torch.randn(2, 3).sum(2)'],
  ['max_all', 'torch.randn(2, 3, requires_grad=True).max()'],
  ['max_dim', 'torch.randn(2, 3, requires_grad=True).max(dim=1)'],
  ['max_values', 'torch.randn(2, 3).max(1).values'],
  ['max_unpack', 'torch.randn(2, 3).max(1)[1]'],
  ['max_pair', 'torch.max(torch.randn(2, 3), torch.randn(3))'],
  ['min_keep', 'torch.randn(2, 3).min(0, keepdim=True)'],
  ['argmax', 'torch.randn(2, 3).argmax(-1)'],
  ['amax', 'torch.randn(2, 3, 4).amax((0, 2))'],
  ['std', 'torch.randn(2, 3, requires_grad=True).std(1)'],
  ['var', 'torch.randn(2, 3).var()'],
  ['norm', 'torch.randn(2, 3, requires_grad=True).norm(dim=1)'],
  ['prod', 'torch.randn(2, 3).prod(1)'],
  ['all', '(torch.randn(2, 3) > 0).all(1)'],
  ['topk', 'torch.randn(2, 10).topk(3)'],
  // autograd
  ['backward_no_grad', 'torch.randn(3).sum().backward()'],
  ['backward_nonscalar', '(torch.randn(3, requires_grad=True) * 2).backward()'],
  ['item_many', 'torch.randn(3).item()'],
  ['requires_grad_int', 'torch.arange(3).requires_grad_()'],
  ['detach', '(torch.randn(3, requires_grad=True) * 2).detach()'],
  ['is_leaf', '((torch.randn(3, requires_grad=True) * 2).is_leaf, torch.randn(3).is_leaf)'],
  ['to_double', 'torch.randn(3, requires_grad=True).to(torch.float64)'],
  ['float', 'torch.arange(3).float()'],
  ['long', 'torch.randn(3).long()'],
  ['type_as', 'torch.arange(3).type_as(torch.randn(2))'],
  ['type_str', 'torch.randn(2).type()'],
  ['dtype', 'torch.randn(2).dtype'],
  ['device', 'torch.randn(2).device'],
  ['is_tensor', 'torch.is_tensor(torch.randn(2))'],
  ['isinstance', 'isinstance(nn.Parameter(torch.randn(2)), Tensor)'],
  ['clone', 'torch.randn(2, requires_grad=True).clone()'],
  ['len', 'len(torch.randn(4, 2))'],
  ['len_0d', 'len(torch.tensor(1.0))'],
  ['bool_many', 'bool(torch.randn(3))'],
  ['iter', '[r for r in torch.randn(2, 3)]'],
  // nn layers: construction, repr, params, forward shapes and errors
  ['conv_repr', 'nn.Conv2d(64, 128, kernel_size=3, stride=2, padding=1, bias=False)'],
  ['conv_repr_same', "nn.Conv2d(3, 8, (3, 5), padding='same', dilation=2, padding_mode='reflect')"],
  ['conv_params', 'sum(p.numel() for p in nn.Conv2d(64, 128, 3, groups=2).parameters())'],
  ['conv_fwd', 'nn.Conv2d(3, 8, 3, stride=2, padding=1)(torch.randn(2, 3, 32, 32))'],
  ['conv_unbatched', 'nn.Conv2d(3, 8, 3)(torch.randn(3, 32, 32))'],
  ['conv_channels', 'nn.Conv2d(64, 128, 3)(torch.randn(32, 32, 56, 56))'],
  ['conv_rank', 'nn.Conv2d(64, 128, 3)(torch.randn(56, 56))'],
  ['conv_too_small', 'nn.Conv2d(64, 128, 7)(torch.randn(1, 64, 3, 3))'],
  ['conv_same_fwd', "nn.Conv2d(3, 8, 4, padding='same')(torch.randn(1, 3, 9, 9))"],
  ['conv_reflect_fwd', "nn.Conv2d(3, 8, 3, padding=1, padding_mode='reflect')(torch.randn(1, 3, 9, 9))"],
  ['conv_groups_bad', 'nn.Conv2d(64, 128, 3, groups=3)'],
  ['conv_same_strided', "nn.Conv2d(64, 128, 3, padding='same', stride=2)"],
  ['conv_pad_str', "nn.Conv2d(64, 128, 3, padding='foo')"],
  ['conv_missing', 'nn.Conv2d(64, 128)'],
  ['conv_kw', 'nn.Conv2d(64, 128, 3, foo=1)'],
  ['conv1d', 'nn.Conv1d(16, 32, 5, padding=2)(torch.randn(4, 16, 50))'],
  ['conv1d_rank', 'nn.Conv1d(64, 128, 3)(torch.randn(1, 64, 3, 3))'],
  ['convT', 'nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)(torch.randn(1, 16, 8, 8))'],
  ['convT_repr', 'nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)'],
  ['convT_size', 'nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1)(torch.randn(1, 16, 8, 8), output_size=[16, 16])'],
  ['bn_repr', 'nn.BatchNorm2d(128)'],
  ['bn_fwd', 'nn.BatchNorm2d(8)(torch.randn(2, 8, 4, 4, requires_grad=True))'],
  ['bn_channels', 'nn.BatchNorm2d(32)(torch.randn(2, 64, 4, 4))'],
  ['bn_rank', 'nn.BatchNorm2d(32)(torch.randn(2, 32))'],
  ['bn1d_batch1', 'nn.BatchNorm1d(32)(torch.randn(1, 32))'],
  ['bn1d_eval_batch1', 'nn.BatchNorm1d(32).eval()(torch.randn(1, 32))'],
  ['bn_buffers', '[n for n, _ in nn.BatchNorm2d(4).named_buffers()]'],
  ['bn_missing', 'nn.BatchNorm2d()'],
  ['ln', 'nn.LayerNorm([4, 5], elementwise_affine=False)'],
  ['ln_fwd', 'nn.LayerNorm(32)(torch.randn(2, 10, 32))'],
  ['ln_bad', 'nn.LayerNorm(32)(torch.randn(2, 33))'],
  ['gn', 'nn.GroupNorm(4, 32)(torch.randn(2, 32, 4))'],
  ['gn_bad_init', 'nn.GroupNorm(5, 32)'],
  ['relu_repr', '[nn.ReLU(), nn.ReLU(inplace=True), nn.ReLU6(), nn.LeakyReLU(0.2, True), nn.GELU(), nn.SiLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1)]'],
  ['leaky_fwd', 'nn.LeakyReLU()(torch.randn(2, requires_grad=True))'],
  ['pools_repr', '[nn.MaxPool2d(3, 2, 1), nn.MaxPool1d(2), nn.AvgPool2d(2), nn.AvgPool1d(2), nn.AdaptiveAvgPool2d((1, 1)), nn.AdaptiveAvgPool1d(4), nn.AdaptiveAvgPool2d((None, 7))]'],
  ['maxpool', 'nn.MaxPool2d(3, 2, 1)(torch.randn(1, 64, 112, 112))'],
  ['maxpool_ceil', 'nn.MaxPool2d(3, 2, ceil_mode=True)(torch.randn(1, 3, 8, 8))'],
  ['maxpool_small', 'nn.MaxPool2d(2)(torch.randn(1, 3, 1, 1))'],
  ['maxpool_pad', 'nn.MaxPool2d(3, padding=2)(torch.randn(1, 3, 8, 8))'],
  ['maxpool_rank', 'F.max_pool2d(torch.randn(8, 8), 2)'],
  ['maxpool_idx', 'F.max_pool2d(torch.randn(1, 3, 8, 8), 2, return_indices=True)'],
  ['avgpool', 'nn.AvgPool2d(2)(torch.randn(1, 3, 7, 7))'],
  ['avgpool1d', 'nn.AvgPool1d(2)(torch.randn(2, 3, 9))'],
  ['aap', 'nn.AdaptiveAvgPool2d((1, 1))(torch.randn(2, 512, 7, 7, requires_grad=True))'],
  ['aap7', 'nn.AdaptiveAvgPool2d(7)(torch.randn(2, 512, 14, 14, requires_grad=True))'],
  ['dropout', 'nn.Dropout(0.2)'],
  ['dropout_bad', 'nn.Dropout(1.5)'],
  ['dropout_train', 'nn.Dropout()(torch.randn(3, requires_grad=True))'],
  ['dropout2d', 'nn.Dropout2d(0.1)'],
  ['flatten_mod', 'nn.Flatten()(torch.randn(2, 3, 4))'],
  ['linear_repr', 'nn.Linear(3, 4, bias=False)'],
  ['linear', 'nn.Linear(512, 10)(torch.randn(32, 512))'],
  ['linear_3d', 'nn.Linear(512, 10)(torch.randn(2, 7, 512))'],
  ['linear_1d', 'nn.Linear(512, 10)(torch.randn(512))'],
  ['linear_bad', 'nn.Linear(512, 10)(torch.randn(32, 256))'],
  ['linear_missing', 'nn.Linear()'],
  ['linear_too_many', 'nn.Linear(1, 2, 3, 4, 5, 6)'],
  ['upsample_repr', "[nn.Upsample(scale_factor=2), nn.Upsample(size=(4, 4), mode='bilinear')]"],
  ['upsample', "nn.Upsample(scale_factor=2, mode='nearest')(torch.randn(1, 3, 4, 4))"],
  ['interp_bilinear', "F.interpolate(torch.randn(1, 3, 4, 4), scale_factor=2, mode='bilinear', align_corners=False)"],
  ['interp_size', 'F.interpolate(torch.randn(1, 3, 4, 4), size=(5, 7))'],
  ['interp_both', 'F.interpolate(torch.randn(1, 3, 4, 4), size=4, scale_factor=2)'],
  ['interp_none', 'F.interpolate(torch.randn(1, 3, 4, 4))'],
  ['interp_ac', 'F.interpolate(torch.randn(1, 3, 4, 4), scale_factor=2, align_corners=True)'],
  ['embedding', 'nn.Embedding(10, 3)(torch.tensor([[1, 2], [3, 4]]))'],
  ['embedding_float', 'nn.Embedding(10, 3)(torch.randn(2, 3))'],
  ['embedding_repr', 'nn.Embedding(10, 3, padding_idx=0)'],
  ['identity', 'nn.Identity(54, unused=1)(torch.randn(2, 3))'],
  ['pad', 'F.pad(torch.randn(1, 3, 4, 4), (1, 2, 3, 4))'],
  ['pad_odd', 'F.pad(torch.randn(2, 3), (1, 2, 3))'],
  ['pad_long', 'F.pad(torch.randn(3), (1, 1, 1, 1))'],
  ['pad_reflect', "F.pad(torch.randn(1, 3, 4, 4), (1, 1, 1, 1), mode='reflect')"],
  ['ce', 'F.cross_entropy(torch.randn(4, 10, requires_grad=True), torch.tensor([1, 2, 3, 4]))'],
  ['ce_batch', 'F.cross_entropy(torch.randn(4, 10), torch.tensor([1, 2, 3]))'],
  ['ce_none', "F.cross_entropy(torch.randn(4, 10), torch.tensor([1, 2, 3, 4]), reduction='none')"],
  ['mse', 'F.mse_loss(torch.randn(4, 10, requires_grad=True), torch.randn(4, 10))'],
  ['bce_logits_bad', 'F.binary_cross_entropy_with_logits(torch.rand(4, 1), torch.rand(4))'],
  // containers
  ['seq', 'nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))'],
  ['seq_fwd', 'nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))(torch.randn(3, 4))'],
  ['seq_idx', 'nn.Sequential(nn.Linear(4, 8), nn.ReLU())[-1]'],
  ['seq_oob', 'nn.Sequential(nn.ReLU())[3]'],
  ['seq_slice', 'nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))[1:]'],
  ['seq_len', 'len(nn.Sequential(nn.ReLU(), nn.ReLU()))'],
  ['seq_bad', 'nn.Sequential(1)'],
  ['seq_empty', 'nn.Sequential()'],
  ['mlist', 'nn.ModuleList([nn.ReLU(), nn.Linear(2, 2)])'],
  ['mlist_call', 'nn.ModuleList([nn.ReLU()])(torch.randn(2))'],
  ['mdict', "nn.ModuleDict({'a': nn.ReLU(), 'b': nn.Linear(1, 2)})"],
  ['mdict_missing', "nn.ModuleDict({'a': nn.ReLU()})['b']"],
  ['module_no_forward', 'nn.Module()(torch.randn(2))'],
  ['module_getattr', 'nn.Linear(2, 2).foo'],
  ['weight', 'nn.Linear(2, 3).weight'],
  ['named_params', '[n for n, p in nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)).named_parameters()]'],
  ['state_dict', 'list(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)).state_dict().keys())'],
  ['named_modules', '[n for n, m in nn.Sequential(nn.Sequential(nn.ReLU()), nn.ReLU()).named_modules()]'],
  ['children', '[type(m).__name__ for m in nn.Sequential(nn.Sequential(nn.ReLU()), nn.Tanh()).children()]'],
  ['train_flag', '(nn.Dropout().eval().training, nn.Dropout().training)'],
  // init
  ['kaiming', "nn.init.kaiming_normal_(nn.Conv2d(3, 4, 3).weight, mode='fan_out', nonlinearity='relu').shape"],
  ['kaiming_1d', 'nn.init.kaiming_normal_(torch.randn(3))'],
  ['constant', 'nn.init.constant_(nn.BatchNorm2d(3).weight, 1).shape'],
  ['gain', "nn.init.calculate_gain('relu')"],
  // memory cap
  ['alloc', 'torch.randn(10**9, 10**9)'],
];

/** Whole scripts compared line by line (common model-code idioms). */
const SCRIPTS: Record<string, string> = {
  idioms: String.raw`import torch
from torch import nn, Tensor
import torch.nn.functional
from collections import OrderedDict
from typing import Optional, List
from torch.nn import Module, Conv2d
from torch.nn.modules.batchnorm import BatchNorm2d
from torch.nn.parameter import Parameter

class Attn(Module):
    def __init__(self, dim: int, heads: int = 2) -> None:
        super(Attn, self).__init__()
        self.qkv = nn.Linear(dim, dim * 3)
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.pos = Parameter(torch.zeros(1, 4, dim))
        self.register_buffer("mask", torch.tril(torch.ones(4, 4)) if hasattr(torch, "tril") else torch.ones(4, 4))

    def forward(self, x: Tensor, mask: Optional[Tensor] = None) -> Tensor:
        B, T, C = x.shape
        x = x + self.pos[:, :T]
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q = q.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        k = k.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        v = v.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * self.scale
        att = att.masked_fill(self.mask[:T, :T] == 0, float('-inf'))
        att = torch.nn.functional.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return y

m = Attn(8)
y = m(torch.randn(2, 4, 8))
print(y.shape, sum(p.numel() for p in m.parameters()))
print([n for n, _ in m.named_buffers()])
net = nn.Sequential(OrderedDict([("conv", Conv2d(3, 8, 3)), ("bn", BatchNorm2d(8)), ("act", nn.ReLU())]))
print(net)
print(net.conv, net[0] is net.conv)
layers: List[nn.Module] = []
for i in range(3):
    layers += [nn.Linear(4, 4), nn.ReLU()]
mlp = nn.Sequential(*layers)
print(len(mlp), mlp(torch.randn(1, 4)).shape)
x = torch.randn(2, 3, 4)
x[:, 0] = 1.0
x[0] = torch.zeros(3, 4)
try:
    x[0] = torch.zeros(5)
except RuntimeError as e:
    print("setitem:", e)
print(x.shape, x.sum(dim=-1).shape, x.mean(-1, keepdim=True).shape)
print(torch.cat([x, x], -1).shape, torch.stack((x, x)).shape)
out = nn.functional.relu(x)
print(type(out).__name__, isinstance(out, torch.Tensor), out.is_contiguous())
print(torch.nn.init.xavier_uniform_(torch.empty(3, 5)).shape)
print(net.training, net.eval().training, net.train().training)
print(x.new_zeros(2, 2).shape, torch.zeros(2, 3).new_ones((4,)).dtype)
print(torch.float32, torch.long, x.dtype == torch.float32)
print(x.view(2, -1).shape, x.flatten().shape, x.reshape(-1, 4).shape)
print(x.size(0), x.shape[-1], list(x.shape), tuple(x.size()))
print(f"shape={x.shape}", str(x.shape), repr(x.shape))
print(torch.Size([1, 2]) , torch.Size([1, 2]) == (1, 2))
print(x.permute(2, 0, 1).shape, x.mT.shape)
a = torch.randn(3, requires_grad=True)
b = a * 2
b.sum().backward()
print(a.grad.shape, b.requires_grad, a.grad.requires_grad)
print(m)
`,
};

const program = (withCases: Array<[string, string]>): string =>
  PRELUDE + withCases.map(([name, expr]) => `show(${JSON.stringify(name)}, lambda: ${expr})`).join('\n') + '\n';

/** Intentional differences: the engine accepts devices without CUDA and cannot know a bool mask's count. */
const KNOWN: Record<string, string> = {
  conv_pad_str: "PyTorch prints a Python set, whose order changes with PYTHONHASHSEED; the engine prints {'valid', 'same'}",
};

describe('torch semantics vs PyTorch 1.13', function () {
  this.timeout(120_000);
  const text = program(CASES);
  let torchOut = new Map<string, string>();
  let engineOut = new Map<string, string>();
  const split = (s: string): Map<string, string> => {
    const m = new Map<string, string>();
    const names = new Set(CASES.map(([n]) => n));
    let cur = '';
    for (const line of s.split('\n')) {
      const first = line.split(' ')[0];
      if (names.has(first) && !m.has(first)) {
        cur = first;
        m.set(cur, line);
      } else if (cur) m.set(cur, `${m.get(cur)}\n${line}`);
    }
    for (const [k, v] of m) m.set(k, v.replace(/\n+$/, ''));
    return m;
  };

  before(() => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-torch-'));
    const file = join(dir, 'cases.py');
    writeFileSync(file, text);
    const r = spawnSync(PYTHON, [file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`PyTorch run failed (${PYTHON}): ${r.stderr}`);
    torchOut = split(r.stdout);
    const t = traceSource({ file, text, limits: { timeMs: 60_000 } });
    assert.equal(t.error, null, `engine raised: ${t.error?.message}`);
    engineOut = split(t.stdout);
  });

  for (const [name] of CASES) {
    it(name, () => {
      const want = torchOut.get(name);
      const got = engineOut.get(name);
      assert.ok(want !== undefined, `PyTorch printed nothing for ${name}`);
      if (KNOWN[name]) return;
      assert.equal(got, want);
    });
  }
});

describe('torch scripts vs PyTorch 1.13', function () {
  this.timeout(120_000);
  for (const [name, text] of Object.entries(SCRIPTS)) {
    it(name, () => {
      const dir = mkdtempSync(join(tmpdir(), 'tt-script-'));
      const file = join(dir, `${name}.py`);
      writeFileSync(file, text);
      const r = spawnSync(PYTHON, [file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`PyTorch run failed (${PYTHON}): ${r.stderr}`);
      const t = traceSource({ file, text, limits: { timeMs: 60_000 } });
      assert.equal(t.error, null, `engine raised: ${t.error?.message}`);
      assert.deepEqual(t.stdout.split('\n'), r.stdout.split('\n'));
    });
  }
});
