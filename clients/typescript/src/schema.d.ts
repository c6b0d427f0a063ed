// Generated from the service's OpenAPI document by `npm run clients:types`; do not edit.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process is up (checks nothing else). */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics of this process (text exposition format). */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document (OpenAPI 3.1), generated from the schemas that validate each route. */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: database reachable with the current schema; Redis reachable (or not configured). */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Audit trail of access to patient data, newest first, a page at a time.
         * @description `from` must be before `to` when both are given (400 otherwise). A `cursor` continues the query it came from: send the same filters with it.
         */
        get: operations["listAuditEntries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/chat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Try the chat on the documentation, as the calling admin client (its own conversations and cache entries), streamed like POST /v1/chat with `Accept: text/event-stream`: `token` events, then `done` (the response below without `answer`, with the standalone question and timings) or `error`. */
        post: operations["tryConsoleChat"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/chunks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A documentation document's chunks in order (heading path, tokens, content). */
        get: operations["listChunks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/chunks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One documentation chunk (a record chunk is never shown here: 404). */
        get: operations["getChunk"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/documents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Indexed documentation documents, with a text filter, a page at a time. */
        get: operations["listDocuments"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/index": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The index at a glance: embedding model, documentation per collection and module, record counts, last ingest, readiness. */
        get: operations["getIndexOverview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent ingest jobs, newest first. */
        get: operations["listJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** State, progress, counts and error of an ingest job. */
        get: operations["getJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/jobs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-sent events of a job: `job` (the job) at once; `progress` (documents done and total, changes so far) as the job reports (or `job` whenever its row changes, for a job another instance runs); a last `job` once it has finished; then the stream ends. */
        get: operations["followJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/metrics/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This instance's requests and latency percentiles per route, cache lookups by result and refusals, from its own metrics. */
        get: operations["getMetricsSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/records": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Push patients' records; each patient's documents replace their previous version.
         * @description Within a batch a patient appears once, and the appointment ids of a patient are distinct. Every field of the batch is checked before anything is written: a 400 `invalid_records` names each bad one (`patients.0.allergies.1.severity`).
         */
        post: operations["pushRecords"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/reindex": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Re-index a documentation folder incrementally (a job; 202 at once). */
        post: operations["startReindex"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/search/explain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A documentation search with everything that ranked it and the refusal decision (no doctor: no record chunk can appear). */
        post: operations["explainSearch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The console session of the request's cookie, with its CSRF token. The session is the HttpOnly, SameSite=Strict cookie `llm_admin_session`. */
        get: operations["getConsoleSession"];
        put?: never;
        /** Sign in to the admin console with an admin API key. The session is the HttpOnly, SameSite=Strict cookie `llm_admin_session`. */
        post: operations["signInToConsole"];
        /** Sign out: ends the console session and clears its cookie (needs the x-csrf-token header). */
        delete: operations["signOutOfConsole"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Grounded answer with citations from the documentation and the doctor's patients' records.
         * @description With `Accept: text/event-stream` the answer is streamed as server-sent events. A `conversationId` continues a conversation of the same doctor (404 otherwise); a `patientId` must be the one the conversation is about (409 otherwise).
         */
        post: operations["chat"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A conversation with its turns and summary. */
        get: operations["getConversation"];
        put?: never;
        post?: never;
        /** Erases a conversation, its summary and every answer cached from it. */
        delete: operations["deleteConversation"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/modules/detect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Which app modules a question is about (none when it is about none). */
        post: operations["detectModules"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Hybrid search over documentation and the asking doctor's patients' records. */
        post: operations["search"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AuditList: {
            entries: {
                /** @description search, chat, records.read... */
                action: string;
                /** @description When the data was retrieved (ISO 8601). */
                at: string;
                chunkIds: string[];
                /** Format: uuid */
                clientId: string;
                /** @description The calling app (API client). */
                clientName: string;
                /** Format: uuid */
                doctorId: string | null;
                /** @description Sequence number (int8 as a string). */
                id: string;
                patientIds: string[];
                purpose: string | null;
                requestId: string;
            }[];
            /** @description Pass as `cursor` for the next (older) page; null on the last page. */
            nextCursor: string | null;
        };
        ChangeCounts: {
            added: number;
            deleted: number;
            unchanged: number;
            updated: number;
        };
        ChatRequest: {
            /**
             * Format: uuid
             * @description Continue this conversation (yours only).
             */
            conversationId?: string;
            message: string;
            /** @description Only search these app modules. */
            modules?: string[];
            /**
             * Format: uuid
             * @description Ground the answer in this patient's records (and the documentation).
             */
            patientId?: string;
        };
        ChatResponse: {
            answer: string;
            cached: false | ("exact" | "semantic");
            /** @description Only the sources the answer cites. */
            citations: components["schemas"]["Citation"][];
            /** Format: uuid */
            conversationId: string;
            /** @description App modules the question is about, best first. */
            modules: string[];
            /** @description Citations to sources that were not provided, removed from the answer. */
            removedCitations?: number[];
            usage: {
                completionTokens: number;
                model: string;
                /** @description True when no language model was used (extractive answer). */
                offline: boolean;
                promptTokens: number;
                totalTokens: number;
            };
        };
        Chunk: {
            chunkIndex: number;
            collection: string;
            content: string;
            headingPath: string[];
            id: string;
            module: string | null;
            sourceId: string;
            title: string;
            tokenCount: number;
            url: string | null;
        };
        ChunkList: {
            chunks: components["schemas"]["Chunk"][];
        };
        Citation: {
            chunkId: string;
            /** @description The source document id (or record part). */
            doc: string;
            heading: string;
            /** @description The number the answer cites this source with: [n]. */
            n: number;
            snippet: string;
            title: string;
            url?: string;
        };
        ConsoleChatRequest: {
            /**
             * Format: uuid
             * @description Continue one of this client's console conversations.
             */
            conversationId?: string;
            message: string;
            modules?: string[];
        };
        ConsoleChatResponse: {
            answer: string;
            cached: false | ("exact" | "semantic");
            /** @description Only the sources the answer cites. */
            citations: components["schemas"]["Citation"][];
            /** Format: uuid */
            conversationId: string;
            /** @description App modules the question is about, best first. */
            modules: string[];
            /** @description Citations to sources that were not provided, removed from the answer. */
            removedCitations?: number[];
            /** @description The question as searched, after condensing a follow-up. */
            standaloneQuestion: string;
            timings: {
                beforeSearchMs: number | null;
                firstTokenMs: number | null;
                searchMs: number | null;
                totalMs: number;
            };
            usage: {
                completionTokens: number;
                model: string;
                /** @description True when no language model was used (extractive answer). */
                offline: boolean;
                promptTokens: number;
                totalTokens: number;
            };
        };
        ConsoleSession: {
            client: {
                name: string;
                scopes: string[];
            };
            /** @description Send it back in the x-csrf-token header of every console call that changes state. */
            csrfToken: string;
            /** Format: date-time */
            expiresAt: string;
        };
        ConsoleSignIn: {
            /** @description An API key with the admin scope; exchanged, never stored by the browser. */
            apiKey: string;
        };
        Conversation: {
            /** Format: date-time */
            createdAt: string;
            /**
             * Format: date-time
             * @description Purged after this unless continued.
             */
            expiresAt: string;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            patientId: string | null;
            /** @description Turns with a lower index are folded into the summary. */
            summarizedThrough: number;
            /** @description Rolling summary of the turns that left the memory window. */
            summary: string;
            turnCount: number;
            turns: {
                answer: string;
                citations: components["schemas"]["Citation"][];
                /** Format: date-time */
                createdAt: string;
                index: number;
                question: string;
                standaloneQuestion: string;
                usage: {
                    [key: string]: unknown;
                };
            }[];
            /** Format: date-time */
            updatedAt: string;
        };
        DetectModulesRequest: {
            /** @default 3 */
            limit: number;
            question: string;
        };
        DetectModulesResponse: {
            modules: {
                name: string;
                similarity: number;
                title: string;
            }[];
        };
        DocumentList: {
            documents: {
                chunkCount: number;
                collection: string;
                indexedAt: string;
                module: string | null;
                /** @description Path under the collection, without extension. */
                sourceId: string;
                title: string;
                uri: string;
                url: string | null;
            }[];
            total: number;
        };
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        IndexOverview: {
            /** @description Folders a re-index may read (INGEST_ALLOWED_ROOTS). */
            allowedRoots: string[];
            documentation: {
                chunks: number;
                collection: string;
                documents: number;
                lastIndexedAt: string | null;
                module: string | null;
                tokens: number;
            }[];
            embedding: {
                dimensions: number;
                /** @description Moves on when the whole index is rebuilt. */
                generation: number;
                model: string;
            };
            /** @description The most recent ingest job. */
            lastIngest: {
                createdAt: string;
                error: string | null;
                finishedAt: string | null;
                heartbeatAt: string;
                /** Format: uuid */
                id: string;
                /** @enum {string} */
                kind: "docs" | "records";
                progress: {
                    [key: string]: unknown;
                };
                sourceKey: string;
                /** @enum {string} */
                state: "running" | "succeeded" | "failed";
                summary: {
                    [key: string]: unknown;
                } | null;
            } | null;
            modules: {
                documentCount: number;
                name: string;
                title: string;
            }[];
            readiness: components["schemas"]["Readiness"];
            /** @description Counts only: nothing about the patients. */
            records: {
                chunks: number;
                patients: number;
                sources: number;
            };
        };
        Job: {
            createdAt: string;
            error: string | null;
            finishedAt: string | null;
            heartbeatAt: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "docs" | "records";
            progress: {
                [key: string]: unknown;
            };
            sourceKey: string;
            /** @enum {string} */
            state: "running" | "succeeded" | "failed";
            summary: {
                [key: string]: unknown;
            } | null;
        };
        JobAccepted: {
            createdAt: string;
            error: string | null;
            finishedAt: string | null;
            heartbeatAt: string;
            /** Format: uuid */
            id: string;
            /**
             * @deprecated
             * @description The same job again, as this route answered before it answered the job itself.
             */
            job: {
                createdAt: string;
                error: string | null;
                finishedAt: string | null;
                heartbeatAt: string;
                /** Format: uuid */
                id: string;
                /** @enum {string} */
                kind: "docs" | "records";
                progress: {
                    [key: string]: unknown;
                };
                sourceKey: string;
                /** @enum {string} */
                state: "running" | "succeeded" | "failed";
                summary: {
                    [key: string]: unknown;
                } | null;
            };
            /** @enum {string} */
            kind: "docs" | "records";
            progress: {
                [key: string]: unknown;
            };
            sourceKey: string;
            /** @enum {string} */
            state: "running" | "succeeded" | "failed";
            /** @description Where the job can be read (`GET /v1/admin/jobs/{id}`), as in `Location`. */
            statusUrl: string;
            summary: {
                [key: string]: unknown;
            } | null;
        };
        JobList: {
            jobs: components["schemas"]["Job"][];
        };
        MetricsSummary: {
            cacheLookups: {
                [key: string]: number;
            };
            refusals: {
                [key: string]: number;
            };
            retrieval: {
                p50: number | null;
                p95: number | null;
                p99: number | null;
                searches: number;
            };
            routes: {
                method: string;
                p50: number | null;
                p95: number | null;
                p99: number | null;
                requests: number;
                route: string;
                serverErrors: number;
            }[];
            sinceSeconds: number;
        };
        Problem: {
            /** @description Stable snake_case error code for programs. */
            code: string;
            detail: string;
            errors?: {
                message: string;
                path?: string;
            }[];
            instance?: string;
            requestId: string;
            status: number;
            title: string;
            /** @description URN naming the problem type, derived from `code`. */
            type: string;
        };
        Readiness: {
            checks: {
                database: {
                    detail?: string;
                    /** @enum {string} */
                    kind: "embedded" | "postgres";
                    latencyMs?: number;
                    /** @enum {string} */
                    status: "up" | "down" | "disabled";
                };
                recordsSync: components["schemas"]["RecordsSyncCheck"];
                redis: {
                    detail?: string;
                    /** @enum {string} */
                    kind: "redis" | "memory";
                    latencyMs?: number;
                    /** @enum {string} */
                    status: "up" | "down" | "disabled";
                };
                schema: {
                    applied: number;
                    pending: string[];
                    /** @enum {string} */
                    status: "current" | "pending" | "mismatched" | "unknown";
                };
            };
            /**
             * @description degraded: serving without an optional dependency (Redis), or with the records sync failing.
             * @enum {string}
             */
            status: "ready" | "degraded" | "not_ready";
        };
        RecordsBatch: {
            patients: {
                /** @default [] */
                allergies: {
                    allergen: string;
                    /** Format: uuid */
                    id: string;
                    /** Format: date */
                    notedAt?: string;
                    reaction: string;
                    /** @enum {string} */
                    severity: "mild" | "moderate" | "severe" | "life_threatening";
                }[];
                /** @default [] */
                appointments: {
                    /** Format: date-time */
                    date: string;
                    /** Format: uuid */
                    doctorId: string;
                    /** Format: uuid */
                    id: string;
                    medicalRecord?: {
                        chiefComplaint: string;
                        diagnosis: string;
                        examNotes: string;
                        followUp: string;
                        historyOfPresentIllness: string;
                        treatmentPlan: string;
                    };
                    /** @default [] */
                    prescriptions: {
                        dosage: string;
                        duration: string;
                        frequency: string;
                        /** Format: uuid */
                        id: string;
                        instructions: string;
                        medication: string;
                        quantity: number;
                        refills: number;
                        strength: string;
                    }[];
                    reason: string;
                    /** @enum {string} */
                    status: "scheduled" | "completed" | "cancelled" | "no_show";
                    /** @default [] */
                    symptoms: {
                        bodySite?: string;
                        duration: string;
                        name: string;
                        severity: number;
                    }[];
                    /** @enum {string} */
                    type: "new_patient" | "follow_up" | "routine_checkup" | "sick_visit" | "telehealth";
                    vitals?: {
                        bloodPressure: string;
                        bmi: number;
                        heartRate: number;
                        heightCm: number;
                        pain: number;
                        respiratoryRate: number;
                        spo2: number;
                        temperatureC: number;
                        weightKg: number;
                    };
                }[];
                /** @default [] */
                conditions: {
                    /** Format: date */
                    diagnosedAt: string;
                    /** Format: uuid */
                    id: string;
                    name: string;
                    /** @enum {string} */
                    status: "active" | "managed" | "resolved";
                }[];
                doctorIds: string[];
                patient: {
                    contact: {
                        address?: string;
                        /** Format: email */
                        email?: string;
                        phone?: string;
                    };
                    /** Format: date */
                    dateOfBirth: string;
                    emergencyContact?: {
                        name: string;
                        phone: string;
                        relationship: string;
                    };
                    firstName: string;
                    /** Format: uuid */
                    id: string;
                    lastName: string;
                    /** @enum {string} */
                    sex: "female" | "male" | "other" | "unknown";
                };
            }[];
        };
        RecordsSummary: {
            chunks: components["schemas"]["ChangeCounts"];
            documents: components["schemas"]["ChangeCounts"];
            embeddingCalls: number;
            ms: number;
            patients: number;
            tokensEmbedded: number;
        };
        RecordsSyncCheck: {
            detail?: string;
            intervalSeconds?: number;
            /** @description Seconds since the last successful run started. */
            lagSeconds: number | null;
            /** @description The last run: outcome, times, patients, rows read, embedding calls, skipped rows. */
            lastRun?: {
                /** @description A bulk first sync: the whole run in one transaction, the HNSW index built once at its end. */
                bulk: boolean;
                documents: components["schemas"]["ChangeCounts"];
                embeddingCalls: number;
                /** @description Why the run failed, when it did. */
                error?: string;
                finishedAt: string;
                ms: number;
                /** @enum {string} */
                outcome: "succeeded" | "failed" | "locked";
                /** @description Patients with a change since the watermark (overlap included). */
                patientsChanged: number;
                patientsIndexed: number;
                patientsRemoved: number;
                patientsWithDeletions: number;
                problemCount: number;
                /** @description Rows reported and skipped. */
                problems: {
                    id: string;
                    message: string;
                    table: string;
                }[];
                rowsRead: number;
                startedAt: string;
            } | null;
            /**
             * @description down: the last run failed, or none succeeded for five intervals (the service is then degraded).
             * @enum {string}
             */
            status: "up" | "down" | "disabled";
            /** @description Platform changes up to this instant are indexed. */
            watermark: string | null;
        };
        ReindexRequest: {
            /** @description Index name of the folder; default: its last two path segments. */
            collection?: string;
            /** @description Put every document in this module. */
            module?: string;
            /** @description Folder to index, under INGEST_ALLOWED_ROOTS. */
            path: string;
        };
        SearchExplainRequest: {
            filters?: {
                modules?: string[];
                sourceKinds?: ("doc" | "record")[];
            };
            /** @default 10 */
            k: number;
            query: string;
        };
        SearchExplanation: {
            evidence: {
                /** @description The best BM25 score among the question's word candidates. */
                bestLexicalScore: number | null;
                /** @description Mean similarity of the question's 10 nearest chunks. */
                evidence: number | null;
                /** @description What the evidence had to reach: the floor measured on the corpus, lowered when the words match better than unrelated questions do. */
                floor: number;
                /** @enum {string} */
                floorSource: "configured" | "corpus";
                /** @enum {string} */
                reason: "no_hits" | "record_found_by_words" | "names_a_title" | "below_floor" | "at_or_above_floor" | "not_measured";
                /** @description Whether search (and so the chat) returns nothing for this query. */
                refused: boolean;
            };
            ms: number;
            /** @description The fused ranking, before the evidence floor is applied. */
            results: {
                chunkId: string;
                collection: string;
                content: string;
                /** @description Source path under its collection, without extension. */
                doc: string;
                headingPath: string[];
                module: string | null;
                ranking: {
                    /** @description Share of the query's term weight (IDF) the chunk holds. */
                    lexicalCoverage: number | null;
                    lexicalRank: number | null;
                    /** @description BM25. */
                    lexicalScore: number | null;
                    /**
                     * @description Which ranking found it.
                     * @enum {string}
                     */
                    reason: "vector" | "lexical" | "both";
                    /** @description Fused score: the weighted sum of the BM25 and cosine scores, each scaled to [0, 1] over its list's candidates. */
                    score: number;
                    /** @description Cosine similarity to the query. */
                    similarity: number;
                    vectorRank: number | null;
                };
                /** @enum {string} */
                sourceKind: "doc" | "record";
                title: string;
                tokenCount: number;
            }[];
        };
        SearchHit: {
            chunkId: string;
            collection: string;
            content: string;
            /** @description Source path under its collection, without extension. */
            doc: string;
            headingPath: string[];
            module: string | null;
            patientId: string | null;
            /**
             * @description Which ranking found it.
             * @enum {string}
             */
            reason: "vector" | "lexical" | "both";
            /** @description Fused rank score (higher is better). */
            score: number;
            /** @description Cosine similarity to the question. */
            similarity: number;
            /** @enum {string} */
            sourceKind: "doc" | "record";
            title: string;
            url: string | null;
        };
        SearchRequest: {
            filters?: {
                modules?: string[];
                /**
                 * Format: uuid
                 * @description Only this patient's record chunks; records are visible only to the patient's doctors, so it needs one of them as the asking doctor.
                 */
                patientId?: string;
                sourceKinds?: ("doc" | "record")[];
            };
            /** @default 10 */
            k: number;
            query: string;
        };
        SearchResponse: {
            results: components["schemas"]["SearchHit"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The metrics. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready (or degraded: serving without Redis: rate limits per process, query vectors not shared). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not ready. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    listAuditEntries: {
        parameters: {
            query?: {
                /** @description Only entries of this calling app (API client name). */
                app?: string;
                /** @description The next page: `nextCursor` of the previous one. */
                cursor?: string;
                /** @description Only entries made for this doctor. */
                doctorId?: string;
                /** @description Entries at or after this instant (ISO 8601 with offset). */
                from?: string;
                limit?: number;
                /** @description Only entries that include this patient. */
                patientId?: string;
                /** @description Entries before this instant; after `from` when both are given. */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Matching entries. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditList"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    tryConsoleChat: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsoleChatRequest"];
            };
        };
        responses: {
            /** @description The answer as server-sent events; `done` carries this object (without `answer`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["ConsoleChatResponse"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The conversation does not exist or is not this client's. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listChunks: {
        parameters: {
            query: {
                collection: string;
                /** @description Only chunks holding this text. */
                q?: string;
                sourceId: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The chunks. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkList"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getChunk: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The chunk. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Chunk"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such documentation chunk. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listDocuments: {
        parameters: {
            query?: {
                collection?: string;
                limit?: number;
                module?: string;
                offset?: number | null;
                /** @description Text in the title, path or content (case-insensitive). */
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of documents and how many match. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentList"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getIndexOverview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The overview. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IndexOverview"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listJobs: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The jobs. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobList"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such job. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    followJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event stream. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such job. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getMetricsSummary: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The summary. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetricsSummary"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    pushRecords: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecordsBatch"];
            };
        };
        responses: {
            /** @description What was indexed. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordsSummary"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    startReindex: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReindexRequest"];
            };
        };
        responses: {
            /** @description Job started: the job as `GET /v1/admin/jobs/{id}` returns it, with `statusUrl`. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A job for this folder is already running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    explainSearch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SearchExplainRequest"];
            };
        };
        responses: {
            /** @description The ranking and the verdict. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchExplanation"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getConsoleSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsoleSession"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No session, or it has ended. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    signInToConsole: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsoleSignIn"];
            };
        };
        responses: {
            /** @description Signed in; the cookie is set. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsoleSession"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key is invalid or revoked. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the admin scope, or the request comes from another origin. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    signOutOfConsole: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    chat: {
        parameters: {
            query?: never;
            header?: {
                /** @description The doctor on whose behalf the call is made; this or X-Doctor-Token is required. */
                "x-doctor-id"?: string;
                /** @description Why the doctor asks, kept in the audit trail (a token's `purpose` claim wins). */
                "x-doctor-purpose"?: string;
                /** @description The doctor, signed: a JWT whose `sub` is the doctor id (HS256 with AUTH_JWT_SECRET, or a key of AUTH_JWKS_URL). Required instead of X-Doctor-Id when a signing key is configured. */
                "x-doctor-token"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChatRequest"];
            };
        };
        responses: {
            /** @description The answer. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatResponse"];
                    "text/event-stream": string;
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The conversation does not exist or is not yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The conversation is about another patient. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getConversation: {
        parameters: {
            query?: never;
            header?: {
                /** @description The doctor on whose behalf the call is made; this or X-Doctor-Token is required. */
                "x-doctor-id"?: string;
                /** @description Why the doctor asks, kept in the audit trail (a token's `purpose` claim wins). */
                "x-doctor-purpose"?: string;
                /** @description The doctor, signed: a JWT whose `sub` is the doctor id (HS256 with AUTH_JWT_SECRET, or a key of AUTH_JWKS_URL). Required instead of X-Doctor-Id when a signing key is configured. */
                "x-doctor-token"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conversation. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The conversation does not exist, has expired or is not yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteConversation: {
        parameters: {
            query?: never;
            header?: {
                /** @description The doctor on whose behalf the call is made; this or X-Doctor-Token is required. */
                "x-doctor-id"?: string;
                /** @description Why the doctor asks, kept in the audit trail (a token's `purpose` claim wins). */
                "x-doctor-purpose"?: string;
                /** @description The doctor, signed: a JWT whose `sub` is the doctor id (HS256 with AUTH_JWT_SECRET, or a key of AUTH_JWKS_URL). Required instead of X-Doctor-Id when a signing key is configured. */
                "x-doctor-token"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Erased. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The conversation does not exist, has expired or is not yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    detectModules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DetectModulesRequest"];
            };
        };
        responses: {
            /** @description Modules, best first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DetectModulesResponse"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    search: {
        parameters: {
            query?: never;
            header?: {
                /** @description The asking doctor; without one (nor a token), only documentation is visible. */
                "x-doctor-id"?: string;
                /** @description Why the doctor asks, kept in the audit trail (a token's `purpose` claim wins). */
                "x-doctor-purpose"?: string;
                /** @description The doctor, signed: a JWT whose `sub` is the doctor id (HS256 with AUTH_JWT_SECRET, or a key of AUTH_JWKS_URL). Required instead of X-Doctor-Id when a signing key is configured. */
                "x-doctor-token"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SearchRequest"];
            };
        };
        responses: {
            /** @description Ranked chunks, best first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchResponse"];
                };
            };
            /** @description The request is malformed or does not match its schema (`errors` names each field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`. */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope of this route. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body exceeds the size limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json, or its charset or Content-Encoding is one the service does not read. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: the API key or the doctor has spent its budget. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency (database, Redis, language model) is unavailable; retry after the time given. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
