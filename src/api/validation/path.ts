// Field paths printed the way upstream's field.Path prints them: `spec.containers[0].name`,
// `metadata.annotations[example.com/key]`, and `[]` for the empty root.

export class FieldPath {
  private constructor(private readonly text: string) {}

  static of(...names: string[]): FieldPath {
    return names.reduce((p, n) => p.child(n), new FieldPath(''));
  }

  child(...names: string[]): FieldPath {
    let text = this.text;
    for (const name of names) text = text ? `${text}.${name}` : name;
    return new FieldPath(text);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text === '' ? '[]' : this.text;
  }
}

export const fieldPath = FieldPath.of;
