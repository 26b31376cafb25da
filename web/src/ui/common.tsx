/** Small building blocks the screens share. */
import type { ComponentChildren } from "preact";
import { t } from "../i18n";
import { fieldLabel } from "../i18n/fields";
import type { Shown } from "../errors";

export function ErrorBox({ shown }: { shown: Shown | null }) {
  if (!shown) return null;
  return (
    <div class="error" role="alert">
      <p>{shown.message}</p>
      {shown.fields.length > 0 && (
        <ul>
          {shown.fields.map((f) => (
            <li key={f.field}>{t("field.error", { field: fieldLabel(f.field), message: f.message })}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function fieldError(shown: Shown | null, field: string): string | undefined {
  return shown?.fields.find((f) => f.field === field || f.field.endsWith("." + field))?.message;
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  error?: string;
  autocomplete?: string;
  inputmode?: "text" | "tel" | "numeric" | "email" | "search";
  required?: boolean;
}

export function Field({ id, label, value, onInput, type = "text", error, autocomplete, inputmode, required }: FieldProps) {
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        type={type}
        value={value}
        autoComplete={autocomplete}
        inputMode={inputmode}
        required={required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** One choice out of a few, as big buttons (a radio group): one tap each. */
export function Choice<T extends string>({
  legend,
  options,
  value,
  onChange,
  label,
  name,
}: {
  legend: string;
  name: string;
  options: readonly T[];
  value: T | null;
  onChange: (value: T) => void;
  label: (value: T) => string;
}) {
  return (
    <fieldset class="choice">
      <legend>{legend}</legend>
      <div class="chips">
        {options.map((option) => (
          <label key={option} class={option === value ? "chip selected" : "chip"}>
            <input
              type="radio"
              name={name}
              value={option}
              checked={option === value}
              onChange={() => onChange(option)}
            />
            <span>{label(option)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}
