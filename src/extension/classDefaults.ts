// Remembers the constructor arguments and input shapes chosen for each class, per workspace.

import type * as vscode from 'vscode';

export interface ClassDefaults {
  args: string;
  inputs: number[][];
}

const stateKey = 'tensorTrace.classDefaults';

export class ClassDefaultsStore {
  constructor(private readonly state: vscode.Memento) {}

  get(className: string): ClassDefaults | undefined {
    const all = this.state.get<Record<string, ClassDefaults>>(stateKey, {});
    const d = all[className];
    return d && typeof d.args === 'string' && Array.isArray(d.inputs) ? d : undefined;
  }

  async set(className: string, defaults: ClassDefaults): Promise<void> {
    const all = { ...this.state.get<Record<string, ClassDefaults>>(stateKey, {}), [className]: defaults };
    await this.state.update(stateKey, all);
  }
}
