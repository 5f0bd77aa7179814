// Every built-in nn class, imported for its registration side effects and listed for the native modules.

import type { PyClass } from '../../runtime/values';
import { AdaptiveAvgPool1dClass } from './AdaptiveAvgPool1d';
import { AdaptiveAvgPool2dClass } from './AdaptiveAvgPool2d';
import { AdaptiveAvgPool3dClass } from './AdaptiveAvgPool3d';
import { AdaptiveMaxPool1dClass } from './AdaptiveMaxPool1d';
import { AdaptiveMaxPool2dClass } from './AdaptiveMaxPool2d';
import { AvgPool1dClass } from './AvgPool1d';
import { AvgPool2dClass } from './AvgPool2d';
import { AvgPool3dClass } from './AvgPool3d';
import { BatchNorm1dClass } from './BatchNorm1d';
import { BatchNorm2dClass } from './BatchNorm2d';
import { BatchNorm3dClass } from './BatchNorm3d';
import { Conv1dClass } from './Conv1d';
import { Conv2dClass } from './Conv2d';
import { Conv3dClass } from './Conv3d';
import { ConvTranspose1dClass } from './ConvTranspose1d';
import { ConvTranspose2dClass } from './ConvTranspose2d';
import { DropoutClass } from './Dropout';
import { Dropout1dClass } from './Dropout1d';
import { Dropout2dClass } from './Dropout2d';
import { EmbeddingClass } from './Embedding';
import { FlattenClass } from './Flatten';
import { GELUClass } from './GELU';
import { GroupNormClass } from './GroupNorm';
import { IdentityClass } from './Identity';
import { LayerNormClass } from './LayerNorm';
import { LeakyReLUClass } from './LeakyReLU';
import { LinearClass } from './Linear';
import { MaxPool1dClass } from './MaxPool1d';
import { MaxPool2dClass } from './MaxPool2d';
import { MaxPool3dClass } from './MaxPool3d';
import { ModuleDictClass } from './ModuleDict';
import { ModuleListClass } from './ModuleList';
import { ReLUClass } from './ReLU';
import { ReLU6Class } from './ReLU6';
import { SequentialClass } from './Sequential';
import { SigmoidClass } from './Sigmoid';
import { SiLUClass } from './SiLU';
import { SoftmaxClass } from './Softmax';
import { TanhClass } from './Tanh';
import { UpsampleClass } from './Upsample';
import './functional';
import './init';

/** The layer classes exported by torch.nn, by name. */
export const NN_CLASSES: PyClass[] = [
  SequentialClass,
  ModuleListClass,
  ModuleDictClass,
  IdentityClass,
  LinearClass,
  Conv1dClass,
  Conv2dClass,
  Conv3dClass,
  ConvTranspose1dClass,
  ConvTranspose2dClass,
  BatchNorm1dClass,
  BatchNorm2dClass,
  BatchNorm3dClass,
  LayerNormClass,
  GroupNormClass,
  ReLUClass,
  ReLU6Class,
  LeakyReLUClass,
  GELUClass,
  SiLUClass,
  SigmoidClass,
  TanhClass,
  SoftmaxClass,
  MaxPool1dClass,
  MaxPool2dClass,
  MaxPool3dClass,
  AvgPool1dClass,
  AvgPool2dClass,
  AvgPool3dClass,
  AdaptiveAvgPool1dClass,
  AdaptiveAvgPool2dClass,
  AdaptiveAvgPool3dClass,
  AdaptiveMaxPool1dClass,
  AdaptiveMaxPool2dClass,
  DropoutClass,
  Dropout1dClass,
  Dropout2dClass,
  FlattenClass,
  UpsampleClass,
  EmbeddingClass,
];
