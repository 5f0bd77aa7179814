// The numeric layer: backend selection and PyTorch-semantics kernels (with gradients) on TensorFlow.js.
export * from './backend';
export * from './conv';
export * from './batchnorm';
export * from './linear';
export * from './reduce';
