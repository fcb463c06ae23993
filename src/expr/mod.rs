//! Expression builders. Placeholders follow DynamoBao's wire format
//! (`#<attribute>` / `:<attribute>`, spec §3.11) so requests look the same.

pub mod filter;
pub mod update;
