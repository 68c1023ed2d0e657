"""A minimal, inference-only BERT encoder in plain torch, for all-MiniLM-L6-v2.

Why: importing transformers' BERT costs about 5 s of a cold `harvest synthesise` on a 2-core
machine (the target is 15 s in all), while the model itself is six small transformer layers.
This reads the same files (tokenizer.json, config.json, model.safetensors) and computes the
same thing; tests check its vectors against sentence-transformers'.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np


def _layer_norm(torch, x, weight, bias, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), weight, bias, eps)


class MiniBert:
    """BERT forward pass (embeddings, N encoder layers) with mean pooling over real tokens.
    Attention is computed step by step (softmax of q k^T / sqrt(d) + mask, times v), as BERT's
    reference code does; `fused=True` uses torch's fused `scaled_dot_product_attention` instead
    (1.3-1.6x faster, cosine 1 - 1e-13 to the step-by-step vectors). Not the default: on the
    3,000-argument large event those last-bit differences moved UMAP's layout, and the themes'
    ARI went 0.355 -> 0.339 (benchmarks/RESULTS.md); to be decided on a spread of seeds."""

    def __init__(self, folder: str | Path, max_tokens: int = 256, fused: bool = False) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.torch = torch
        self.fused = fused
        self.config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.w = load_file(str(folder / "model.safetensors"))
        # Some exports prefix every weight with the model name.
        self.w = {k.removeprefix("bert."): v for k, v in self.w.items()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding(pad_id=self.config.get("pad_token_id", 0), pad_token="[PAD]")
        self.heads = self.config["num_attention_heads"]
        self.eps = self.config.get("layer_norm_eps", 1e-12)

    def _linear(self, x, name: str):
        return self.torch.nn.functional.linear(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"])

    def _layer(self, x, mask, i: int):
        torch, p = self.torch, f"encoder.layer.{i}"
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def split(t):
            return t.view(batch, length, self.heads, size).transpose(1, 2)

        q = split(self._linear(x, f"{p}.attention.self.query"))
        k = split(self._linear(x, f"{p}.attention.self.key"))
        v = split(self._linear(x, f"{p}.attention.self.value"))
        if self.fused:
            # One fused kernel (no (length x length) score tensor kept per head): 1.3-1.6x faster
            # on CPU, and the same vectors (cosine >= 0.9999999, tests/test_synthesis_models.py).
            attended = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        else:
            scores = q @ k.transpose(-1, -2) / math.sqrt(size) + mask
            attended = torch.softmax(scores, dim=-1) @ v
        context = attended.transpose(1, 2).reshape(batch, length, hidden)
        x = _layer_norm(torch, x + self._linear(context, f"{p}.attention.output.dense"),
                        self.w[f"{p}.attention.output.LayerNorm.weight"],
                        self.w[f"{p}.attention.output.LayerNorm.bias"], self.eps)
        inner = torch.nn.functional.gelu(self._linear(x, f"{p}.intermediate.dense"))
        return _layer_norm(torch, x + self._linear(inner, f"{p}.output.dense"),
                           self.w[f"{p}.output.LayerNorm.weight"], self.w[f"{p}.output.LayerNorm.bias"],
                           self.eps)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled last hidden states (not normalised), one row per text."""
        torch = self.torch
        encodings = self.tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
        types = torch.tensor([e.type_ids for e in encodings], dtype=torch.long)
        attention = torch.tensor([e.attention_mask for e in encodings], dtype=torch.float32)
        with torch.inference_mode():
            positions = torch.arange(ids.shape[1]).unsqueeze(0)
            x = (self.w["embeddings.word_embeddings.weight"][ids]
                 + self.w["embeddings.position_embeddings.weight"][positions]
                 + self.w["embeddings.token_type_embeddings.weight"][types])
            x = _layer_norm(torch, x, self.w["embeddings.LayerNorm.weight"],
                            self.w["embeddings.LayerNorm.bias"], self.eps)
            mask = (1.0 - attention)[:, None, None, :] * torch.finfo(torch.float32).min
            for i in range(self.config["num_hidden_layers"]):
                x = self._layer(x, mask, i)
            weights = attention.unsqueeze(-1)
            pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return pooled.numpy()
