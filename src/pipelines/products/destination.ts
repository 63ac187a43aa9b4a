import { createHash } from 'node:crypto';
import type { Row } from '../../connectors/file-drop';
import { ApplicationFailure } from '@temporalio/common';
import { asActivityFailure, recordRejected } from '../../activities/failures';
import type { MedusaClient } from '../../connectors/medusa';
import type { PimcoreClient } from '../../connectors/pimcore';
import { PIPELINE_FAILURE } from '../../domain/failures';
import type { LoadResult, RecordLoad, StageRequest } from '../contract';
import { toCanonical, type CanonicalProduct, type TransformSettings } from './canonical';
import { inColumns } from './csv-feed';
import { medusaProductOf } from './medusa';
import { pimUpsertOf } from './pimcore';
import {
  applyProductEdit,
  forbiddenEditFields,
  isNewerVersion,
  isProductRecord,
  supplierProductOf,
} from './record';
import { awaitingPublication } from './stages';
import { publishedProductSchema, type PublishedProduct } from './webhook';

/**
 * A destination call's classified failure, as Temporal records it. A load is a local activity
 * tried once per call (its record workflow loops over attempts), hence attempt 1.
 */
async function called<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asActivityFailure(error, 1);
  }
}

/** A content checksum: the canonical product as written (it decides both destinations' bodies). */
const checksumOf = (product: CanonicalProduct) =>
  createHash('sha256').update(JSON.stringify(product)).digest('hex');

/**
 * Seed 002's stages for one product: the canonical transform, then stage 1 (the PIM upsert, after
 * which the product waits for a person to publish it in the PIM) and stage 2 (the storefront,
 * once the PIM reported it published). Both stages read the product from the record, so a replay
 * or a retry writes what the file says, transformed with the rates and mapping configured now.
 */
export function createProductDestination({
  pim,
  medusa,
  transform,
  salesChannelId,
}: {
  pim: PimcoreClient;
  medusa: MedusaClient;
  transform: TransformSettings;
  salesChannelId?: string;
}) {
  function canonicalOf(record: unknown): CanonicalProduct {
    const supplier = supplierProductOf(record);
    if (!supplier.ok) throw recordRejected(supplier.issues);
    const recordOf = record as { file: { supplier: string; format: string }; product: unknown };
    const canonical = toCanonical(supplier.value, recordOf.file.supplier, transform);
    if (canonical.ok) return canonical.value;
    const issues =
      recordOf.file.format === 'csv'
        ? canonical.issues.map((issue) => inColumns(issue, recordOf.product as Row))
        : canonical.issues;
    throw recordRejected(issues);
  }

  return {
    /** Stage 1: the canonical product into the PIM, unpublished, guarded by the record's version. */
    async loadRecord({ record, version, workflowId }: RecordLoad): Promise<LoadResult> {
      if (!workflowId) {
        throw ApplicationFailure.create({
          type: PIPELINE_FAILURE,
          nonRetryable: true,
          message: "the engine did not name the record's workflow: the PIM's webhook could not reach it",
        });
      }
      const product = canonicalOf(record);
      const upsert = pimUpsertOf(product, { version, workflowId });
      if (!upsert.ok) throw recordRejected(upsert.issues);
      const outcome = await called(() => pim.upsertProduct(upsert.value));
      if (outcome.status === 'newer') {
        return {
          status: 'SKIPPED',
          reason: `the PIM holds a newer version of ${product.sku} (${outcome.held.sourceVersion})`,
        };
      }
      // Published already (a live product updated, a replay): its workflow need not wait.
      const happened: PublishedProduct | undefined = outcome.wasPublished
        ? { pimId: outcome.id, sku: product.sku, sourceVersion: version }
        : undefined;
      return {
        status: 'SYNCED',
        internalId: String(outcome.id),
        checksum: checksumOf(product),
        awaits: {
          ...awaitingPublication(happened),
          ...(outcome.previousWorkflowId && outcome.previousWorkflowId !== workflowId
            ? { supersedes: outcome.previousWorkflowId }
            : {}),
        },
      };
    },

    /** Stage 2, once the PIM published the product: create or update it in the storefront. */
    async continueRecord({ recordId, version, record, payload }: StageRequest): Promise<LoadResult> {
      const product = canonicalOf(record);
      const published = publishedProductSchema.safeParse(payload);
      if (!published.success || published.data.sku !== product.sku) {
        throw recordRejected([
          {
            field: 'webhook',
            message: `the PIM's publication does not describe ${product.sku}`,
            value: JSON.stringify(payload),
          },
        ]);
      }
      if (isNewerVersion(published.data.sourceVersion, version)) {
        return {
          status: 'SKIPPED',
          reason: `the PIM published a newer version of ${product.sku}: its own record takes it to the storefront`,
        };
      }
      const body = medusaProductOf(product, { recordId, salesChannelId });
      if (!body.ok) throw recordRejected(body.issues);
      const written = await called(() => medusa.upsertProduct(body.value));
      return { status: 'SYNCED', internalId: written.id, checksum: checksumOf(product) };
    },

    /** Refuses an edit that reaches outside the product or leaves it invalid for either destination. */
    async checkEdit(record: unknown, edit: Record<string, unknown>): Promise<void> {
      if (!isProductRecord(record)) {
        throw recordRejected([{ field: 'product', message: 'not a product of a supplier file' }]);
      }
      const forbidden = forbiddenEditFields(edit);
      if (forbidden.length > 0) throw recordRejected(forbidden);
      const product = canonicalOf(applyProductEdit(record, edit));
      const checks = [
        pimUpsertOf(product, { version: '', workflowId: 'record-sync' }),
        medusaProductOf(product, { recordId: 'record-sync' }),
      ];
      for (const check of checks) if (!check.ok) throw recordRejected(check.issues);
    },

    applyEdit: applyProductEdit,
  };
}
