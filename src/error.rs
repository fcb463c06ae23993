//! One error type for the whole core. Every error carries a stable `ErrorCode`
//! whose string form is what JS sees as `err.code`; the JS layer maps codes to
//! DynamoBao's exception classes in one place (`lib/errors.js`).

use std::fmt;

/// Stable error kinds. The strings are part of the public API: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Bad input: field values, ids, cursors, key values.
    Validation,
    /// A tenant id that cannot be used in a key.
    InvalidTenantId,
    /// Tenancy is enabled and no tenant could be resolved.
    TenantRequired,
    /// A model or config that cannot work (unknown field, bad schema).
    Configuration,
    /// A query that cannot be built (unknown index, bad sort-key field).
    Query,
    /// The item an update or delete targets does not exist.
    ItemNotFound,
    /// A DynamoDB condition (or transaction condition) failed.
    Conditional,
    /// DynamoDB answered with an error the library does not translate.
    DynamoDb,
    /// The request never got an answer (connection, timeout, credentials).
    Network,
    /// A bug in this library; reported instead of panicking.
    Internal,
    /// The tenant's own credentials (`tenancy.credentials`) are missing or
    /// about to expire; the JS layer fetches them and runs the operation again.
    CredentialsRequired,
    /// An instance read under one tenant (or key) saved or deleted under another.
    TenantMismatch,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::InvalidTenantId => "INVALID_TENANT_ID",
            ErrorCode::TenantRequired => "TENANT_REQUIRED",
            ErrorCode::Configuration => "CONFIGURATION",
            ErrorCode::Query => "QUERY",
            ErrorCode::ItemNotFound => "ITEM_NOT_FOUND",
            ErrorCode::Conditional => "CONDITIONAL",
            ErrorCode::DynamoDb => "DYNAMODB",
            ErrorCode::Network => "NETWORK",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::CredentialsRequired => "CREDENTIALS_REQUIRED",
            ErrorCode::TenantMismatch => "TENANT_MISMATCH",
        }
    }
}

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// An error with its code and the details DynamoBao's exception classes expose
/// (`fieldName`, `operation`, the AWS error name for raw service errors).
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The field a validation error is about (`ValidationError.fieldName`).
    pub field: Option<String>,
    /// `ConditionalError.operation` ("update", "delete", "unique_constraint").
    pub operation: Option<&'static str>,
    /// The AWS error type for `DynamoDb` errors, e.g. `ValidationException`.
    pub aws_name: Option<String>,
    /// Whether trying again later may succeed (network, timeouts, throttling,
    /// 5xx) — after the SDK's own retries ran out.
    pub retryable: bool,
    /// The tenant a `CredentialsRequired` signal is about.
    pub tenant: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            field: None,
            operation: None,
            aws_name: None,
            retryable: false,
            tenant: None,
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Validation, message)
    }

    pub fn configuration(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Configuration, message)
    }

    pub fn query(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Query, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message)
    }

    pub fn conditional(message: impl Into<String>, operation: &'static str) -> Self {
        let mut e = Error::new(ErrorCode::Conditional, message);
        e.operation = Some(operation);
        e
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The JSON form the binding hands to JS (see `lib/errors.js`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("code".into(), self.code.as_str().into());
        m.insert("message".into(), self.message.clone().into());
        if let Some(f) = &self.field {
            m.insert("fieldName".into(), f.clone().into());
        }
        if let Some(o) = &self.operation {
            m.insert("operation".into(), (*o).into());
        }
        if let Some(n) = &self.aws_name {
            m.insert("awsName".into(), n.clone().into());
        }
        if self.retryable {
            m.insert("retryable".into(), true.into());
        }
        if let Some(t) = &self.tenant {
            m.insert("tenantId".into(), t.clone().into());
        }
        serde_json::Value::Object(m)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

/// Payloads are JSON the JS layer built from user values, so a payload that
/// does not parse means a value that cannot be stored or used as given (a lone
/// surrogate, nesting deeper than 128 levels, a non-integer limit, ...).
impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::validation(format!("Invalid input: {e}"))
    }
}
