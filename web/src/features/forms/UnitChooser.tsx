/** Choose the unit whose forms to manage (heads and administrators: any unit under them). */
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { useT } from "../../i18n";

export function UnitChooser({ value, onChange }: { value: number | null; onChange: (id: number | null) => void }) {
  const t = useT();
  return <UnitTreeSelect value={value} onChange={(id) => onChange(id)} placeholder={t("forms.pickUnit")} data-testid="forms-unit-chooser" />;
}
