//! Creating the resources the SAM template declares, against whatever endpoint the SDK points
//! at. The local runner and the integration tests share this one step; names and keys match
//! `infra/template.yaml`. Every step tolerates "already exists", so running it twice is harmless.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_s3::types::{
    BucketLocationConstraint, CorsConfiguration, CorsRule, CreateBucketConfiguration, Event,
    FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter,
    QueueConfiguration, S3KeyFilter,
};
use aws_sdk_sqs::types::QueueAttributeName;

use crate::{Resources, StoreError, object_keys};

/// What provisioning made: the names the functions are configured with, plus the queues.
#[derive(Debug, Clone)]
pub struct Provisioned {
    pub resources: Resources,
    pub ingest_queue_url: String,
    pub dead_letter_queue_url: String,
    /// Accepted download requests, for the ZIP worker; with its own dead-letter queue.
    pub download_queue_url: String,
    pub download_dead_letter_queue_url: String,
}

/// Creates (or finds) table, bucket, ingest and download queues with their dead-letter queues, the S3 → SQS
/// notification on `uploads/`, and the SES sender identity. `prefix` keeps names apart, so
/// tests can provision a fresh set each and run in parallel.
pub async fn provision(
    sdk_config: &aws_config::SdkConfig,
    prefix: &str,
    sender_email: &str,
) -> Result<Provisioned, StoreError> {
    let resources = Resources {
        table: format!("{prefix}-table"),
        bucket: format!("{prefix}-photos"),
        sender_email: sender_email.to_owned(),
    };
    create_table(&aws_sdk_dynamodb::Client::new(sdk_config), &resources.table).await?;

    let sqs = aws_sdk_sqs::Client::new(sdk_config);
    let (dead_letter_queue_url, dead_letter_arn) = create_queue(
        &sqs,
        &format!("{prefix}-ingest-dlq"),
        INGEST_VISIBILITY_SECS,
        None,
    )
    .await?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": dead_letter_arn,
        "maxReceiveCount": "5",
    })
    .to_string();
    let (ingest_queue_url, ingest_arn) = create_queue(
        &sqs,
        &format!("{prefix}-ingest"),
        INGEST_VISIBILITY_SECS,
        Some(redrive),
    )
    .await?;
    let (download_dead_letter_queue_url, download_dead_letter_arn) = create_queue(
        &sqs,
        &format!("{prefix}-download-dlq"),
        DOWNLOAD_VISIBILITY_SECS,
        None,
    )
    .await?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": download_dead_letter_arn,
        "maxReceiveCount": "5",
    })
    .to_string();
    let (download_queue_url, _) = create_queue(
        &sqs,
        &format!("{prefix}-download"),
        DOWNLOAD_VISIBILITY_SECS,
        Some(redrive),
    )
    .await?;

    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk_config)
            .force_path_style(true)
            .build(),
    );
    let region = sdk_config.region().map(|r| r.to_string());
    create_bucket(&s3, &resources.bucket, region.as_deref()).await?;
    allow_browser_uploads(&s3, &resources.bucket).await?;
    notify_uploads(&s3, &resources.bucket, &ingest_arn).await?;

    let ses = aws_sdk_sesv2::Client::new(sdk_config);
    if let Err(e) = ses
        .create_email_identity()
        .email_identity(sender_email)
        .send()
        .await
        && !e
            .as_service_error()
            .is_some_and(|e| e.is_already_exists_exception())
    {
        return Err(e.into());
    }

    Ok(Provisioned {
        resources,
        ingest_queue_url,
        dead_letter_queue_url,
        download_queue_url,
        download_dead_letter_queue_url,
    })
}

async fn create_table(ddb: &aws_sdk_dynamodb::Client, name: &str) -> Result<(), StoreError> {
    let attr = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(build_error)
    };
    let key = |name: &str, key_type: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .map_err(build_error)
    };
    // GSI1 for most listings (and capture order), GSI2 for file-name order: see the crate docs.
    let gsi = |n: u8| {
        GlobalSecondaryIndex::builder()
            .index_name(format!("GSI{n}"))
            .key_schema(key(&format!("GSI{n}PK"), KeyType::Hash)?)
            .key_schema(key(&format!("GSI{n}SK"), KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .map_err(build_error)
    };
    let result = ddb
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("PK")?)
        .attribute_definitions(attr("SK")?)
        .attribute_definitions(attr("GSI1PK")?)
        .attribute_definitions(attr("GSI1SK")?)
        .attribute_definitions(attr("GSI2PK")?)
        .attribute_definitions(attr("GSI2SK")?)
        .key_schema(key("PK", KeyType::Hash)?)
        .key_schema(key("SK", KeyType::Range)?)
        .global_secondary_indexes(gsi(1)?)
        .global_secondary_indexes(gsi(2)?)
        .send()
        .await;
    match result {
        Ok(_) => {
            // As in the SAM template: short-lived items (try counters) remove themselves.
            let ttl = TimeToLiveSpecification::builder()
                .attribute_name("expires_at")
                .enabled(true)
                .build()
                .map_err(build_error)?;
            ddb.update_time_to_live()
                .table_name(name)
                .time_to_live_specification(ttl)
                .send()
                .await?;
            Ok(())
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// As in the template: 6 × the ingest function's 60 s timeout; longer than a Lambda can run
/// for the ZIP worker's queue.
const INGEST_VISIBILITY_SECS: u32 = 360;
const DOWNLOAD_VISIBILITY_SECS: u32 = 5400;

/// Returns the queue's URL and ARN.
async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    visibility_timeout_secs: u32,
    redrive_policy: Option<String>,
) -> Result<(String, String), StoreError> {
    let mut create = sqs.create_queue().queue_name(name).attributes(
        QueueAttributeName::VisibilityTimeout,
        visibility_timeout_secs.to_string(),
    );
    if let Some(policy) = redrive_policy {
        create = create.attributes(QueueAttributeName::RedrivePolicy, policy);
    }
    let url = create
        .send()
        .await?
        .queue_url
        .ok_or_else(|| StoreError::Aws("queue created without URL".into()))?;
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| StoreError::Aws("queue without ARN".into()))?;
    Ok((url, arn))
}

async fn create_bucket(
    s3: &aws_sdk_s3::Client,
    name: &str,
    region: Option<&str>,
) -> Result<(), StoreError> {
    let mut create = s3.create_bucket().bucket(name);
    // us-east-1 is the one region that refuses an explicit location constraint.
    if let Some(region) = region.filter(|r| *r != "us-east-1") {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    match create.send().await {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error().is_some_and(|e| {
                e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()
            }) =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// The bucket's CORS rule, as the SAM template's (with its default `AllowedOrigin`, any):
/// the studio's page PUTs uploads and GETs thumbnails straight from the bucket, and a
/// browser sends those only once the bucket's answer to its preflight allows them.
async fn allow_browser_uploads(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<(), StoreError> {
    let rule = CorsRule::builder()
        .allowed_origins("*")
        .allowed_methods("PUT")
        .allowed_methods("GET")
        // A presigned PUT must be sent with the headers it was signed with.
        .allowed_headers("*")
        .max_age_seconds(3000)
        .build()
        .map_err(build_error)?;
    let rules = CorsConfiguration::builder()
        .cors_rules(rule)
        .build()
        .map_err(build_error)?;
    s3.put_bucket_cors()
        .bucket(bucket)
        .cors_configuration(rules)
        .send()
        .await?;
    Ok(())
}

async fn notify_uploads(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    queue_arn: &str,
) -> Result<(), StoreError> {
    // New uploads are ingested; a new logo re-renders the galleries that show it; a new brand
    // logo is made into the one client pages and emails show.
    let mut notifications = NotificationConfiguration::builder();
    for prefix in ["uploads/", "logos/", object_keys::BRAND_UPLOADS] {
        let rule = FilterRule::builder()
            .name(FilterRuleName::Prefix)
            .value(prefix)
            .build();
        let queue = QueueConfiguration::builder()
            .queue_arn(queue_arn)
            .events(Event::from("s3:ObjectCreated:*"))
            .filter(
                NotificationConfigurationFilter::builder()
                    .key(S3KeyFilter::builder().filter_rules(rule).build())
                    .build(),
            )
            .build()
            .map_err(build_error)?;
        notifications = notifications.queue_configurations(queue);
    }
    s3.put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(notifications.build())
        .send()
        .await?;
    Ok(())
}

fn build_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Aws(e.to_string())
}
