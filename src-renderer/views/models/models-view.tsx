/** The Models view: train (one click or advanced), the live loss chart, the model list, the selected model's metrics and forecast. */
import { useEffect } from 'react';
import type { JSX } from 'react';
import { useModels } from '../../stores/models-store.js';
import { ForecastPanel } from './forecast-chart.js';
import { ModelDetailPanel } from './model-detail.js';
import { ModelList } from './model-list.js';
import { TrainPanel } from './train-panel.js';
import { TrainingLossChart } from './training-loss-chart.js';
import { TypeStackPanel } from './type-stack-chart.js';

/** The Models view. */
export function ModelsView(): JSX.Element {
  const selected = useModels((s) => s.models.find((m) => m.id === s.selectedId) ?? null);
  useEffect(() => {
    void useModels.getState().load();
  }, []);
  return (
    <div className="content" data-testid="models-view">
      <TrainPanel />
      <TrainingLossChart />
      <div className="models-layout">
        <ModelList />
        {selected !== null && <ModelDetailPanel modelId={selected.id} />}
      </div>
      {selected !== null && selected.status === 'ready' && selected.task === 'forecast' && <ForecastPanel model={selected} />}
      {selected !== null && selected.status === 'ready' && selected.task === 'forecast' && <TypeStackPanel model={selected} />}
    </div>
  );
}
