import {
  emptyProduct,
  FIELD_NAMES,
  PRODUCT_FIELDS,
  roundForStorage,
  validateProduct,
  validKey,
  type ClassOptions,
  type FieldName,
  type ProductData,
  type ProductImage,
} from './pimcore-product';

/**
 * Pimcore's object tree as the Datahub mutations and listings see it: folders, Product objects and
 * their variants, with Pimcore's save rules (a key unique within its parent, a parent that exists,
 * mandatory fields only when published, the SKU's unique index) and results worded as
 * pimcore/data-hub's MutationType words them ("object created: 98", "creating failed: Duplicate
 * path", "unable to resolve parent").
 */

export type ObjectType = 'folder' | 'object' | 'variant';

export interface PimObject {
  id: number;
  parentId: number;
  key: string;
  type: ObjectType;
  published: boolean;
  /** Unix seconds, as Pimcore keeps them. */
  creationDate: number;
  modificationDate: number;
  versionCount: number;
  /** The object's own values (a variant's empty ones are inherited). */
  data: ProductData;
}

/** A product or variant as the sandbox's programmatic API shows it: own and inherited values resolved. */
export type SandboxProduct = Omit<PimObject, 'data'> & { fullpath: string } & ProductData;

/** What a save did, for the webhook sender: Datahub Webhooks' event names. */
export interface SaveEvent {
  eventName: 'pimcore.dataobject.postAdd' | 'pimcore.dataobject.postUpdate';
  objectId: number;
}

export interface MutationResult {
  success: boolean;
  message: string;
  id?: number;
  event?: SaveEvent;
}

/** The Datahub input of a create or update, already coerced to the schema's types. */
export type ProductInput = Partial<Record<FieldName, unknown>>;

export interface CreateArgs {
  key: string;
  parentId?: number | null;
  path?: string | null;
  published?: boolean | null;
  type?: string | null;
  omitMandatoryCheck?: boolean | null;
  input?: ProductInput | null;
}

export interface UpdateArgs {
  id?: number | null;
  fullpath?: string | null;
  parentId?: number | null;
  omitMandatoryCheck?: boolean | null;
  input?: ProductInput | null;
}

export class ProductStore {
  private objects = new Map<number, PimObject>();
  private nextId = 1;

  constructor(
    private readonly options: ClassOptions,
    private readonly folders: string[],
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.clear();
  }

  clear(): void {
    this.objects = new Map();
    this.nextId = 1;
    // The tree's root is object 1, "/", as in every Pimcore installation.
    this.insert({ parentId: 0, key: '', type: 'folder', published: true, data: emptyProduct() });
    for (const folder of this.folders) this.ensureFolder(folder);
  }

  private ensureFolder(path: string): number {
    let parentId = 1;
    for (const key of path.split('/').filter((part) => part !== '')) {
      const existing = this.childByKey(parentId, key);
      parentId =
        existing?.id ??
        this.insert({ parentId, key, type: 'folder', published: true, data: emptyProduct() }).id;
    }
    return parentId;
  }

  private insert(
    fields: Omit<PimObject, 'id' | 'creationDate' | 'modificationDate' | 'versionCount'>,
  ): PimObject {
    const stamp = this.now();
    const object: PimObject = {
      ...fields,
      id: this.nextId++,
      creationDate: stamp,
      modificationDate: stamp,
      versionCount: 1,
    };
    this.objects.set(object.id, object);
    return object;
  }

  private childByKey(parentId: number, key: string): PimObject | undefined {
    for (const object of this.objects.values()) {
      if (object.parentId === parentId && object.key === key && object.id !== 1) return object;
    }
    return undefined;
  }

  get(id: number): PimObject | undefined {
    return this.objects.get(id);
  }

  fullpath(object: PimObject): string {
    if (object.id === 1) return '/';
    const parent = this.objects.get(object.parentId);
    const base = parent === undefined || parent.id === 1 ? '' : this.fullpath(parent);
    return `${base}/${object.key}`;
  }

  /** DataObject::getByPath: a trailing slash or doubled slashes do not matter. */
  byPath(path: string): PimObject | undefined {
    const wanted = `/${path
      .split('/')
      .filter((part) => part !== '')
      .join('/')}`;
    for (const object of this.objects.values()) if (this.fullpath(object) === wanted) return object;
    return undefined;
  }

  bySku(sku: string): PimObject | undefined {
    for (const object of this.objects.values())
      if (object.type !== 'folder' && object.data.sku === sku) return object;
    return undefined;
  }

  /** Products and variants in id order. */
  products(): PimObject[] {
    return [...this.objects.values()].filter((o) => o.type !== 'folder').sort((a, b) => a.id - b.id);
  }

  /** The values Pimcore shows for an object: a variant's empty fields come from its parent. */
  effective(object: PimObject): ProductData {
    if (object.type !== 'variant') return object.data;
    const parent = this.objects.get(object.parentId);
    if (parent === undefined || parent.type === 'folder') return object.data;
    const inherited = this.effective(parent);
    const merged = { ...object.data } as Record<FieldName, unknown>;
    for (const name of FIELD_NAMES) {
      if (name !== 'sku' && isEmpty(object.data[name])) merged[name] = inherited[name];
    }
    return merged as ProductData;
  }

  view(object: PimObject): SandboxProduct {
    const system: Omit<PimObject, 'data'> & { data?: ProductData } = { ...object };
    delete system.data;
    return { ...system, fullpath: this.fullpath(object), ...structuredClone(this.effective(object)) };
  }

  create(args: CreateArgs): MutationResult {
    const parent =
      args.parentId !== undefined && args.parentId !== null
        ? this.objects.get(args.parentId)
        : args.path !== undefined && args.path !== null
          ? this.byPath(args.path)
          : undefined;
    if (!parent) return { success: false, message: 'unable to resolve parent' };
    // Only 'object' and 'variant' change the type; Datahub ignores anything else.
    const type: ObjectType = args.type === 'variant' ? 'variant' : 'object';
    const draft: PimObject = {
      id: 0,
      parentId: parent.id,
      key: validKey(args.key),
      type,
      // Datahub's default is published: a connector must ask for an unpublished object.
      published: args.published ?? true,
      creationDate: 0,
      modificationDate: 0,
      versionCount: 0,
      data: emptyProduct(),
    };
    applyInput(draft.data, args.input ?? {});
    const refusal = this.refusal(draft, args.omitMandatoryCheck ?? false);
    if (refusal) return { success: false, message: `creating failed: ${refusal}` };
    const saved = this.insert({
      parentId: draft.parentId,
      key: draft.key,
      type: draft.type,
      published: draft.published,
      data: draft.data,
    });
    const event: SaveEvent | undefined = saved.published
      ? { eventName: 'pimcore.dataobject.postAdd', objectId: saved.id }
      : undefined;
    return { success: true, message: `object created: ${saved.id}`, id: saved.id, event };
  }

  update(args: UpdateArgs): MutationResult {
    const hasId = args.id !== undefined && args.id !== null;
    const hasPath = args.fullpath !== undefined && args.fullpath !== null;
    const object = hasId
      ? this.objects.get(args.id as number)
      : hasPath
        ? this.byPath(args.fullpath as string)
        : undefined;
    if (!object || object.type === 'folder')
      return { success: false, message: 'unable to update object. Unknown id or fullpath' };
    const draft: PimObject = { ...object, data: structuredClone(object.data) };
    if (args.parentId !== undefined && args.parentId !== null) {
      const parent = this.objects.get(args.parentId);
      // Datahub only moves the object when the new parent exists; an unknown one is ignored.
      if (parent) draft.parentId = parent.id;
    }
    applyInput(draft.data, args.input ?? {});
    const refusal = this.refusal(draft, args.omitMandatoryCheck ?? false);
    if (refusal) return { success: false, message: refusal };
    this.commit(object, draft);
    const event: SaveEvent | undefined = object.published
      ? { eventName: 'pimcore.dataobject.postUpdate', objectId: object.id }
      : undefined;
    return { success: true, message: `object ${object.id} updated`, id: object.id, event };
  }

  /** Save & Publish in the Pimcore UI: the mandatory checks now apply. */
  publish(id: number): MutationResult {
    const object = this.objects.get(id);
    if (!object || object.type === 'folder')
      return { success: false, message: `object with id:'${id}' not found` };
    const draft: PimObject = { ...object, published: true };
    const refusal = this.refusal(draft, false);
    if (refusal) return { success: false, message: refusal };
    this.commit(object, draft);
    return {
      success: true,
      message: `object ${id} published`,
      id,
      event: { eventName: 'pimcore.dataobject.postUpdate', objectId: id },
    };
  }

  private commit(object: PimObject, draft: PimObject): void {
    object.parentId = draft.parentId;
    object.published = draft.published;
    object.data = draft.data;
    object.modificationDate = this.now();
    object.versionCount += 1;
  }

  /**
   * Why Pimcore would refuse to save `draft`, in the order Pimcore checks: its path (parent and
   * key), then the fields' validity, then the database's unique index on the SKU.
   */
  private refusal(draft: PimObject, omitMandatoryCheck: boolean): string | undefined {
    if (draft.key === '') return 'Object requires key';
    const sibling = this.childByKey(draft.parentId, draft.key);
    if (sibling && sibling.id !== draft.id) return 'Duplicate path';
    const parent = this.objects.get(draft.parentId);
    if (draft.type === 'variant' && (!parent || parent.type === 'folder'))
      return 'a variant must be the child of a Product object';
    if (draft.id !== 0 && this.isAncestor(draft.id, draft.parentId))
      return 'cannot move an object into itself';
    const effective = this.effective(draft);
    const problems = validateProduct(effective, draft.published && !omitMandatoryCheck, this.options);
    if (problems.length > 0) return `Validation failed: ${problems.join(' / ')}`;
    const sku = draft.data.sku;
    const holder = sku === null ? undefined : this.bySku(sku);
    if (holder && holder.id !== draft.id)
      return `unique constraint violated: sku '${sku}' is used by object ${holder.id}`;
    return undefined;
  }

  private isAncestor(id: number, of: number): boolean {
    for (let at = this.objects.get(of); at; at = this.objects.get(at.parentId)) {
      if (at.id === id) return true;
      if (at.id === 1) return false;
    }
    return false;
  }
}

function isEmpty(value: unknown): boolean {
  return value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The Datahub input processors: a field given (even null) is set, a field left out is kept. */
function applyInput(data: ProductData, input: ProductInput): void {
  const target = data as unknown as Record<FieldName, unknown>;
  for (const [name, value] of Object.entries(input) as [FieldName, unknown][]) {
    if (!(name in PRODUCT_FIELDS)) continue;
    if (name === 'images') {
      data.images = applyImages(data.images ?? [], value as ImagesInput | null);
      continue;
    }
    if (name === 'price' && typeof value === 'number') {
      target[name] = roundForStorage(value, PRODUCT_FIELDS.price.decimalPrecision);
      continue;
    }
    target[name] = value;
  }
}

interface ImagesInput {
  replace?: boolean | null;
  items?: { ProductImage?: ({ index?: number | null } & Partial<ProductImage>)[] | null } | null;
}

/**
 * Field collection mutations: with `replace: true` the items sent are the collection; otherwise
 * (Datahub's default) each item overwrites the one at its index, and an item without an index (or
 * past the end) is appended: images left out of an update stay.
 */
function applyImages(current: ProductImage[], input: ImagesInput | null): ProductImage[] | null {
  if (input === null) return null;
  const items = input.items?.ProductImage ?? [];
  const result = input.replace ? [] : current.map((image) => ({ ...image }));
  for (const item of items) {
    const image: ProductImage = { url: item.url ?? null, alt: item.alt ?? null };
    const index = item.index ?? undefined;
    if (index !== undefined && index >= 0 && index < result.length) result[index] = image;
    else result.push(image);
  }
  return result;
}
