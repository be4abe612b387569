/** The Classification view: label rules editor, label CSV import, classifier training with its evaluation, apply to a source. */
import type { JSX } from 'react';
import { ClassifyTrain } from './classify-train.js';
import { LabelImport } from './label-import.js';
import { RulesEditor } from './rules-editor.js';

/** The Classification view. */
export function ClassificationView(): JSX.Element {
  return (
    <div className="content" data-testid="classification-view">
      <ClassifyTrain />
      <RulesEditor />
      <LabelImport />
    </div>
  );
}
