import type { RequestHandler } from './$types';
import { digestDownload } from '$lib/digest/files.server';

export const GET: RequestHandler = digestDownload('html');
