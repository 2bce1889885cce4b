import { useEffect, useState, type ReactNode } from 'react';
import type { BooleanInputSpec, FloatInputSpec, InputSpec, IntInputSpec, LiteralValue, StringInputSpec } from '@piagraph/graph-core';
import { comboOptions } from '../defs/object-info.js';
import { SEED_CONTROLS, type SeedControl } from '../document/seed-control.js';
import { thumbnailRetryDelay, thumbnailUrl } from './thumbnail.js';

/** Keeps pointer presses inside a widget from starting a node drag or a canvas pan. */
export function NoDrag({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <div className={className} onPointerDown={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
      {children}
    </div>
  );
}

interface WidgetProps<S extends InputSpec> {
  name: string;
  spec: S;
  value: LiteralValue | undefined;
  onChange(value: LiteralValue): void;
}

/** Rounds and clamps a typed number to the spec (INT to whole steps, FLOAT to `round`). */
export function normalizeNumber(raw: number, spec: IntInputSpec | FloatInputSpec): number {
  let v = raw;
  if (spec.min !== undefined) v = Math.max(spec.min, v);
  if (spec.max !== undefined) v = Math.min(spec.max, v);
  if (spec.type === 'INT') return Math.round(v);
  const round = spec.round === false ? undefined : (spec.round ?? spec.step);
  if (round && round > 0) v = Math.round(v / round) * round;
  return Number(v.toFixed(10));
}

/** INT/FLOAT: a number field with the spec's min, max and step; commits on blur or Enter. */
export function NumberWidget({ name, spec, value, onChange }: WidgetProps<IntInputSpec | FloatInputSpec>) {
  const [text, setText] = useState(String(value ?? ''));
  useEffect(() => setText(String(value ?? '')), [value]);
  const commit = () => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) return setText(String(value ?? ''));
    const next = normalizeNumber(n, spec);
    setText(String(next));
    if (next !== value) onChange(next);
  };
  return (
    <label className="pg-widget pg-widget-number">
      <span className="pg-widget-label">{name}</span>
      <input
        type="number"
        value={text}
        min={spec.min}
        max={spec.max}
        step={spec.step ?? (spec.type === 'INT' ? 1 : 0.01)}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </label>
  );
}

/** STRING: one line, or a textarea for multiline specs (prompts); commits on blur. `bare` drops the label (notes). */
export function TextWidget({ name, spec, value, onChange, bare = false }: WidgetProps<StringInputSpec> & { bare?: boolean }) {
  const [text, setText] = useState(String(value ?? ''));
  useEffect(() => setText(String(value ?? '')), [value]);
  const commit = () => text !== (value ?? '') && onChange(text);
  if (bare) {
    return (
      <textarea
        className="pg-note-text"
        value={text}
        placeholder={spec.placeholder}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
      />
    );
  }
  if (spec.multiline) {
    return (
      <label className="pg-widget pg-widget-textarea">
        <span className="pg-widget-label">{name}</span>
        <textarea
          value={text}
          placeholder={spec.placeholder ?? name}
          onChange={(e) => setText(e.target.value)}
          onBlur={commit}
        />
      </label>
    );
  }
  return (
    <label className="pg-widget pg-widget-text">
      <span className="pg-widget-label">{name}</span>
      <input
        type="text"
        value={text}
        placeholder={spec.placeholder}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </label>
  );
}

/** BOOLEAN: a toggle with the spec's on/off labels. */
export function BooleanWidget({ name, spec, value, onChange }: WidgetProps<BooleanInputSpec>) {
  const on = value === true;
  return (
    <label className="pg-widget pg-widget-boolean">
      <span className="pg-widget-label">{name}</span>
      <input type="checkbox" checked={on} onChange={(e) => onChange(e.target.checked)} />
      <span className="pg-widget-state">{on ? (spec.label_on ?? 'true') : (spec.label_off ?? 'false')}</span>
    </label>
  );
}

/** COMBO: a drop-down; a value missing from the list (a file uploaded since) is still shown. */
export function ComboWidget({ name, spec, value, onChange }: WidgetProps<InputSpec>) {
  const options = comboOptions(spec);
  const current = String(value ?? '');
  const all = current && !options.includes(current) ? [current, ...options] : options;
  return (
    <label className="pg-widget pg-widget-combo">
      <span className="pg-widget-label">{name}</span>
      <select value={current} onChange={(e) => onChange(e.target.value)}>
        {all.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The "control after generate" choice beside a seed widget. */
export function SeedControlWidget({ value, onChange }: { value: SeedControl; onChange(value: SeedControl): void }) {
  return (
    <label className="pg-widget pg-widget-combo pg-seed-control">
      <span className="pg-widget-label">control</span>
      <select value={value} onChange={(e) => onChange(e.target.value as SeedControl)}>
        {SEED_CONTROLS.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * An input picture that is asked for again a few times when it fails to load, since it may still be on its way
 * into `input/`. Keyed by its value and revision by its parent, so a new picture starts its retries afresh.
 */
function Thumbnail({ value, revision }: { value: string; revision: number }) {
  const [attempt, setAttempt] = useState(0);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const delay = failed ? thumbnailRetryDelay(attempt) : undefined;
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      setFailed(false);
      setAttempt(attempt + 1);
    }, delay);
    return () => clearTimeout(timer);
  }, [failed, attempt]);
  const src = thumbnailUrl(value, revision, attempt);
  if (!src) return null;
  return <img className="pg-thumbnail" data-testid="thumbnail" src={src} alt={value} draggable={false} onError={() => setFailed(true)} />;
}

/**
 * The upload button and thumbnail of an `image_upload` combo (Load Image). `revision` changes when input files may
 * have changed (an upload, a finished run) and reloads the thumbnail.
 */
export function ImageUpload({ filename, revision, onUpload }: { filename: string; revision: number; onUpload(file: File): void }) {
  return (
    <div className="pg-image-upload">
      <label className="pg-button pg-upload-button">
        choose file to upload
        <input
          type="file"
          accept="image/*"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onUpload(file);
            e.target.value = '';
          }}
        />
      </label>
      <div className="pg-thumbnail-box">
        <Thumbnail key={`${revision}:${filename}`} value={filename} revision={revision} />
      </div>
    </div>
  );
}
