# Not PyTorch code: Tensor Trace must stay silent here, even though this line would fail.
values = [1, 2, 3]
total = values + 3
print(total)
